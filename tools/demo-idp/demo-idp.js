// The trial stack's identity provider (docker compose --profile demo, docs/operations.md "A trial stack"):
// five demo ministries (BE, AL, DK, XK, NL), each with a token-signing key and a command-signing key, plus
// the stack's own secrets (the personal-data master key, the audit ledger's signing key, each service's
// event-signing key). Everything is generated at first start into the data folder and kept there: a second
// start reuses what exists. Never for production: anyone who can read the folder can act as any ministry.
//
//   node tools/demo-idp/demo-idp.js serve             generate what is missing, write the services' settings, serve the JWKS
//   node tools/demo-idp/demo-idp.js token --state BE --role transfer-coordinator [--sub NAME] [--minutes N]
//
// Variables: DEMO_DATA_DIR (default ./.infra/demo), DEMO_IDP_PORT (8080), DEMO_IDP_ISSUER_BASE (http://demo-idp:8080).
'use strict';
const { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID } = require('node:crypto');
const { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:http');
const { join, resolve } = require('node:path');
const { exportJWK, SignJWT } = require('jose');

/** The demo ministries, by ISO 3166-1 alpha-2 code (XK: Kosovo, as the domain uses it). */
const STATES = ['BE', 'AL', 'DK', 'XK', 'NL'];
const SERVICES = ['intake', 'transfer', 'custody', 'audit'];
/** The roles of libs/security/src/policy.ts (ROLES); kept here so the tool needs no TypeScript. */
const ROLES = ['intake-officer', 'transfer-coordinator', 'facility-officer', 'auditor', 'integration', 'operator'];
/** The audience the services expect (AUTH_AUDIENCE's default). */
const AUDIENCE = 'custody-tracking';

function settingsOf(env = process.env) {
  return {
    dataDir: resolve(env.DEMO_DATA_DIR ?? join(__dirname, '..', '..', '.infra', 'demo')),
    port: Number(env.DEMO_IDP_PORT ?? 8080),
    issuerBase: (env.DEMO_IDP_ISSUER_BASE ?? 'http://demo-idp:8080').replace(/\/$/, ''),
  };
}

/**
 * A key file: created only when it does not exist yet, and never replaced, also when two processes
 * start at once (the server and a `token` run): the key is written aside and linked into place, which
 * fails if the file appeared meanwhile; the one in place is kept.
 */
function keep(file, make) {
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, make(), { mode: 0o600 });
  try {
    linkSync(partial, file);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(partial);
  }
  return readFileSync(file, 'utf8');
}

/** A derived file (public keys, settings), rewritten at each start: replaced whole, so a reader never sees half of it. */
function write(file, content, mode) {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content, { mode });
  renameSync(partial, file);
}

const ecPrivatePem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const ed25519PrivatePem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
const publicPemOf = (privatePem) => createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
const kidOf = (state, use) => `demo-${state.toLowerCase()}-${use}-1`;
const shellQuote = (value) => `'${String(value).replace(/'/g, `'\\''`)}'`;

async function jwksOf(privatePem, kid) {
  const jwk = await exportJWK(createPublicKey(createPrivateKey(privatePem)));
  return { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] };
}

/**
 * Generates what is missing in the data folder and (re)writes what derives from it: the public key
 * sets and each service's settings file (`settings/<service>.env`, shell assignments the demo
 * services source before starting). Returns the folder's layout.
 */
async function ensureKeys(settings = settingsOf()) {
  const { dataDir, issuerBase } = settings;
  for (const dir of ['', 'ministries', 'event-signing-keys', 'settings']) mkdirSync(join(dataDir, dir), { recursive: true, mode: 0o700 });
  const ministries = {};
  for (const state of STATES) {
    const dir = join(dataDir, 'ministries', state);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tokenKey = keep(join(dir, 'token-signing-key.pem'), ecPrivatePem);
    const commandKey = keep(join(dir, 'command-signing-key.pem'), ecPrivatePem);
    write(join(dir, 'jwks.json'), JSON.stringify(await jwksOf(tokenKey, kidOf(state, 'token')), null, 2) + '\n', 0o644);
    write(join(dir, 'command-keys.json'), JSON.stringify(await jwksOf(commandKey, kidOf(state, 'command')), null, 2) + '\n', 0o644);
    write(join(dir, 'command-signing-key.pub.pem'), publicPemOf(commandKey), 0o644);
    ministries[state] = { issuer: `${issuerBase}/${state}`, tokenKey, commandKey, dir };
  }
  const masterKey = keep(join(dataDir, 'personal-data-master-key'), () => randomBytes(32).toString('base64')).trim();
  const auditKey = keep(join(dataDir, 'audit-signing-key.pem'), ed25519PrivatePem);
  // The ledger's public key for the custody-audit CLI (a verifier trusts only the keys it is given).
  const auditTrustedKeys = JSON.stringify([{ keyId: 'audit-ledger-1', publicKeyPem: publicPemOf(auditKey) }]);
  write(join(dataDir, 'audit-trusted-keys.json'), auditTrustedKeys + '\n', 0o644);
  const eventKeys = Object.fromEntries(SERVICES.map((name) => [name, keep(join(dataDir, 'event-signing-keys', `${name}.pem`), ed25519PrivatePem)]));
  const eventPublisherKeys = JSON.stringify(SERVICES.map((service) => ({ service, publicKeyPem: publicPemOf(eventKeys[service]) })));
  write(join(dataDir, 'event-publisher-keys.json'), eventPublisherKeys + '\n', 0o644);

  // The services read the ministries' public keys from the files (keyFile): a jwksUri must be https, or
  // http on loopback only (docs/security.md), and the demo's identity provider is another container.
  const authIssuers = STATES.map((state) => ({ issuer: ministries[state].issuer, state, keyFile: join(ministries[state].dir, 'jwks.json') }));
  const commandSigners = STATES.map((state) => ({ kid: kidOf(state, 'command'), state, keyFile: join(ministries[state].dir, 'command-signing-key.pub.pem') }));
  // The broker's SCRAM users (docs/security.md, "Kafka: topic ACLs"): a password per service, per demo ministry and for the
  // operators, generated once; the kafka-setup container creates them and the ACLs from its settings file.
  const kafkaCredentials = JSON.parse(
    keep(join(dataDir, 'kafka-credentials.json'), () =>
      JSON.stringify({
        mechanism: 'scram-sha-512',
        brokers: 'kafka:9092',
        topicPrefix: '',
        services: Object.fromEntries(SERVICES.map((name) => [name, { username: name, password: randomBytes(32).toString('hex'), groupId: name === 'audit' ? 'audit-ledger' : name }])),
        ministries: Object.fromEntries(STATES.map((state) => [state, { username: `ministry-${state}`, password: randomBytes(32).toString('hex') }])),
        operator: { username: 'operator', password: randomBytes(32).toString('hex') },
      }),
    ),
  );
  write(
    join(dataDir, 'settings', 'kafka-setup.env'),
    `# Written by the demo identity provider at every start: trial settings, never production.\nexport KAFKA_CREDENTIALS=${shellQuote(JSON.stringify(kafkaCredentials))}\n`,
    0o600,
  );
  for (const service of SERVICES) {
    const env = {
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: kafkaCredentials.services[service].username,
      KAFKA_SASL_PASSWORD: kafkaCredentials.services[service].password,
      AUTH_MODE: 'on',
      AUTH_ISSUERS: JSON.stringify(authIssuers),
      COMMAND_SIGNATURES: 'required',
      COMMAND_SIGNERS: JSON.stringify(commandSigners),
      EVENT_SIGNATURES: 'required',
      EVENT_SIGNING_KEY: eventKeys[service],
      EVENT_PUBLISHER_KEYS: eventPublisherKeys,
      ...(service === 'intake' || service === 'transfer' || service === 'custody' ? { PERSONAL_DATA_MASTER_KEY: masterKey, PERSONAL_DATA_MASTER_KEY_ID: 'master-1' } : {}),
      ...(service === 'audit' ? { AUDIT_SIGNING_KEY: auditKey, AUDIT_SIGNING_KEY_ID: 'audit-ledger-1' } : {}),
    };
    const lines = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
    write(join(dataDir, 'settings', `${service}.env`), `# Written by the demo identity provider at every start: trial settings, never production.\n${lines.join('\n')}\n`, 0o600);
  }
  return { dataDir, ministries, authIssuers, commandSigners };
}

/** A bearer token of a demo ministry for one role, signed with the ministry's token key. */
async function issueToken({ state, role, subject, minutes = 60 }, settings = settingsOf()) {
  if (!STATES.includes(state)) throw new TypeError(`--state must be one of ${STATES.join(', ')} (got ${state})`);
  if (!ROLES.includes(role)) throw new TypeError(`--role must be one of ${ROLES.join(', ')} (got ${role})`);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) throw new TypeError('--minutes must be a whole number from 1 to 1440');
  const { ministries } = await ensureKeys(settings);
  const ministry = ministries[state];
  return new SignJWT({ roles: [role] })
    .setProtectedHeader({ alg: 'ES256', kid: kidOf(state, 'token'), typ: 'JWT' })
    .setIssuer(ministry.issuer)
    .setAudience(AUDIENCE)
    .setSubject(subject ?? `demo-${state.toLowerCase()}-${role}`)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${minutes}m`)
    .sign(createPrivateKey(ministry.tokenKey));
}

/**
 * Serves, for each ministry: GET /<STATE>/jwks.json (its token keys), GET /<STATE>/command-keys.json
 * (its command-signing keys, the form of a COMMAND_SIGNERS jwksUri entry); GET /command-signers.json
 * (a COMMAND_SIGNERS value with the public keys inline); GET /health. Resolves with the listening server.
 */
async function serve(settings = settingsOf(), host = '0.0.0.0') {
  const { dataDir, ministries } = await ensureKeys(settings);
  const commandSigners = JSON.stringify(STATES.map((state) => ({ kid: kidOf(state, 'command'), state, publicKeyPem: publicPemOf(ministries[state].commandKey) })));
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://demo-idp').pathname;
    const send = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      response.end(body);
    };
    if (request.method !== 'GET') return send(405, JSON.stringify({ code: 'METHOD_NOT_ALLOWED', message: 'only GET is served' }));
    if (path === '/health') return send(200, JSON.stringify({ status: 'ok', states: STATES }));
    if (path === '/command-signers.json') return send(200, commandSigners);
    const match = /^\/([A-Z]{2})\/(jwks|command-keys)\.json$/.exec(path);
    if (match && STATES.includes(match[1])) return send(200, readFileSync(join(dataDir, 'ministries', match[1], `${match[2]}.json`), 'utf8'));
    return send(404, JSON.stringify({ code: 'NOT_FOUND', message: `no ${path}: try /<STATE>/jwks.json with STATE one of ${STATES.join(', ')}` }));
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(settings.port, host, resolveListen);
  });
  return server;
}

function option(args, name) {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
}

async function main(args) {
  const settings = settingsOf();
  if (args[0] === 'serve') {
    const server = await serve(settings);
    const { port } = server.address();
    console.log(`demo identity provider: ministries ${STATES.join(', ')}; JWKS at ${settings.issuerBase}/<STATE>/jwks.json (port ${port}); keys and settings in ${settings.dataDir}`);
    const stop = () => server.close(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    return;
  }
  if (args[0] === 'token') {
    const minutes = option(args, 'minutes');
    const token = await issueToken({ state: option(args, 'state'), role: option(args, 'role'), subject: option(args, 'sub'), minutes: minutes === undefined ? 60 : Number(minutes) }, settings);
    process.stdout.write(token + '\n');
    return;
  }
  process.stderr.write(`usage: demo-idp serve | demo-idp token --state <${STATES.join('|')}> --role <${ROLES.join('|')}> [--sub NAME] [--minutes N]\n`);
  process.exitCode = 2;
}

module.exports = { AUDIENCE, ROLES, SERVICES, STATES, ensureKeys, issueToken, serve, settingsOf };

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`demo-idp: ${error.message}\n`);
    process.exit(1);
  });
}
