// `npm run dev`: the whole stack without Docker, on a fresh machine too. Installs or starts what is
// missing (tools/bootstrap.mjs: Node.js 24, the npm dependencies, PostgreSQL — the server of
// DATABASE_URL, or an embedded one — and the local Kafka broker), creates a database per service,
// creates the broker's SCRAM users and ACLs (.infra/kafka-credentials.json), compiles the services to JavaScript
// (tools/build.mjs, as the image does), runs the four services as separate processes from dist/js/,
// each with its own Kafka user, with their logs prefixed, and stops everything on
// Ctrl-C (the broker and the embedded PostgreSQL too, when this run started them).
// `npm run dev -- --until-ready`: the same, then stops once every service answers /health/ready
// (exit 0), or after DEV_READY_TIMEOUT_SECONDS (300) without (exit 1): the clean-machine check of CI.
import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { answers, bootstrap } from './bootstrap.mjs';

const root = join(import.meta.dirname, '..');
const untilReady = process.argv.includes('--until-ready');
const services = [
  { name: 'intake', port: 3101, colour: 36 },
  { name: 'transfer', port: 3102, colour: 33 },
  { name: 'custody', port: 3103, colour: 35 },
  { name: 'audit', port: 3104, colour: 32 },
];
const infrastructure = await bootstrap();
const { default: pg } = await import('pg');
const adminUrl = process.env.DATABASE_URL;
const brokers = process.env.KAFKA_BROKERS;

// The master key for personal data (intake's, transfer's and custody's data keys): PERSONAL_DATA_MASTER_KEY when set, otherwise a key
// generated once and kept in .infra/ (not committed), so that the data survives restarts.
const masterKeyFile = join(root, '.infra', 'personal-data-master-key');
if (!process.env.PERSONAL_DATA_MASTER_KEY && !existsSync(masterKeyFile)) {
  mkdirSync(dirname(masterKeyFile), { recursive: true });
  writeFileSync(masterKeyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
}
const personalDataMasterKey = process.env.PERSONAL_DATA_MASTER_KEY ?? readFileSync(masterKeyFile, 'utf8').trim();

// The key that signs the audit ledger's checkpoints: AUDIT_SIGNING_KEY when set, otherwise an Ed25519 key generated once and
// kept in .infra/ like the master key, so that checkpoints signed before a restart still verify. Its public half is written
// beside it as AUDIT_TRUSTED_KEYS for the custody-audit CLI (a verifier trusts only keys it is given, never the database's).
const auditKeyFile = join(root, '.infra', 'audit-signing-key.pem');
if (!process.env.AUDIT_SIGNING_KEY && !existsSync(auditKeyFile)) {
  mkdirSync(dirname(auditKeyFile), { recursive: true });
  writeFileSync(auditKeyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}
const auditSigningKey = process.env.AUDIT_SIGNING_KEY ?? readFileSync(auditKeyFile, 'utf8');
const auditSigningKeyId = process.env.AUDIT_SIGNING_KEY_ID ?? 'audit-ledger-1';
const auditTrustedKeysFile = join(root, '.infra', 'audit-trusted-keys.json');
if (!process.env.AUDIT_SIGNING_KEY) {
  const publicKeyPem = createPublicKey(createPrivateKey(auditSigningKey)).export({ type: 'spki', format: 'pem' }).toString();
  writeFileSync(auditTrustedKeysFile, JSON.stringify([{ keyId: auditSigningKeyId, publicKeyPem }]) + '\n');
}

// Each service's event-signing key (docs/adr/0013-signed-events.md): an Ed25519 key per service generated once and kept in
// .infra/event-signing-keys/ like the ledger's, and every service's public key in .infra/event-publisher-keys.json, which each
// service is given as EVENT_PUBLISHER_KEYS: the relays sign what they publish and every consumer verifies it.
const eventKeyDir = join(root, '.infra', 'event-signing-keys');
mkdirSync(eventKeyDir, { recursive: true });
const eventSigningKeys = Object.fromEntries(
  services.map(({ name }) => {
    const file = join(eventKeyDir, `${name}.pem`);
    if (!existsSync(file)) writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    return [name, readFileSync(file, 'utf8')];
  }),
);
const eventPublisherKeys = JSON.stringify(
  services.map(({ name }) => ({ service: name, publicKeyPem: createPublicKey(createPrivateKey(eventSigningKeys[name])).export({ type: 'spki', format: 'pem' }).toString() })),
);
writeFileSync(join(root, '.infra', 'event-publisher-keys.json'), eventPublisherKeys + '\n');

// The broker's SCRAM users and ACLs (docs/security.md, "Kafka: topic ACLs"): a user per service, per local ministry (the demo
// states), the operators and an administrator, with random passwords generated once and kept in .infra/kafka-credentials.json
// (not committed). On every start the users are created (or their passwords set) and the table's ACLs applied, over the local
// broker's loopback listener (a super user); the services then connect to its SCRAM listener, each with its own user.
const kafkaCredentialsFile = join(root, '.infra', 'kafka-credentials.json');
const kafkaCredentials = await secureLocalKafka();

async function secureLocalKafka() {
  const first = brokers.split(',')[0].trim();
  const host = first.slice(0, first.lastIndexOf(':'));
  const port = Number(first.slice(first.lastIndexOf(':') + 1));
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    console.log(`Kafka at ${brokers} is not the local broker: its users and ACLs are its operator's (docs/security.md); the services connect with KAFKA_SASL_* as given`);
    return undefined;
  }
  const scram = `127.0.0.1:${process.env.KAFKA_SCRAM_PORT ?? port + 2}`;
  if (!(await answers('127.0.0.1', Number(scram.split(':')[1])))) {
    console.error(
      `the Kafka broker on ${first} has no SCRAM listener on ${scram} (started before the broker had ACLs?): ` +
        'restart it with npm run infra:down && npm run infra:up, then run npm run dev again',
    );
    await infrastructure.stop();
    process.exit(1);
  }
  const password = () => randomBytes(32).toString('base64url');
  const groups = { intake: 'intake', transfer: 'transfer', custody: 'custody', audit: 'audit-ledger' };
  const states = ['BE', 'AL', 'DK', 'XK', 'NL'];
  const credentials = existsSync(kafkaCredentialsFile)
    ? JSON.parse(readFileSync(kafkaCredentialsFile, 'utf8'))
    : {
        mechanism: 'scram-sha-512',
        topicPrefix: '',
        services: Object.fromEntries(services.map(({ name }) => [name, { username: name, password: password(), groupId: groups[name] }])),
        ministries: Object.fromEntries(states.map((state) => [state, { username: `ministry-${state}`, password: password() }])),
        operator: { username: 'operator', password: password() },
        admin: { username: 'admin', password: password() },
      };
  credentials.brokers = scram;
  mkdirSync(dirname(kafkaCredentialsFile), { recursive: true });
  writeFileSync(kafkaCredentialsFile, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  const applied = spawnSync(process.execPath, [join(root, 'libs', 'messaging', 'bin', 'custody-admin.js'), '--brokers', first, 'kafka-acls', '--credentials', kafkaCredentialsFile], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (applied.status !== 0) {
    console.error(`the broker's SCRAM users and ACLs could not be set (custody-admin kafka-acls exited ${applied.status ?? applied.signal})`);
    await infrastructure.stop();
    process.exit(1);
  }
  return credentials;
}

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
for (const { name } of services) {
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  if (rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
}
await admin.end();

// The services as the image runs them: compiled to JavaScript at each start (under a second), so
// that what runs is always this checkout's sources (tools/build.mjs). Imported only now: on a fresh
// machine the bootstrap above has just installed @swc/core.
const { build } = await import('./build.mjs');
const built = build();

const children = services.map(({ name, port, colour }) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // The young generation's semi-spaces at most 16 MB each, as in the image (docs/performance.md, "Memory").
  const child = spawn(process.execPath, ['--max-semi-space-size=16', join(built, 'services', name, 'src', 'main.js')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: url.toString(),
      KAFKA_BROKERS: kafkaCredentials?.brokers ?? brokers,
      // Its own SCRAM user, whose rights are the ACLs of docs/security.md.
      ...(kafkaCredentials
        ? {
            KAFKA_SASL_MECHANISM: 'scram-sha-512',
            KAFKA_SASL_USERNAME: kafkaCredentials.services[name].username,
            KAFKA_SASL_PASSWORD: kafkaCredentials.services[name].password,
            KAFKA_GROUP_ID: kafkaCredentials.services[name].groupId,
          }
        : {}),
      // Local development only: no identity provider; set AUTH_MODE=on and AUTH_ISSUERS to try it.
      AUTH_MODE: process.env.AUTH_MODE ?? 'off',
      // Likewise no ministry signs the commands sent on Kafka; set COMMAND_SIGNATURES=required and COMMAND_SIGNERS to try it.
      COMMAND_SIGNATURES: process.env.COMMAND_SIGNATURES ?? 'off',
      // Events, though, are signed and verified as in production, with the keys of .infra/event-signing-keys/.
      EVENT_SIGNATURES: process.env.EVENT_SIGNATURES ?? 'required',
      EVENT_SIGNING_KEY: eventSigningKeys[name],
      EVENT_PUBLISHER_KEYS: process.env.EVENT_PUBLISHER_KEYS ?? eventPublisherKeys,
      ...(name === 'intake' || name === 'transfer' || name === 'custody' ? { PERSONAL_DATA_MASTER_KEY: personalDataMasterKey } : {}),
      ...(name === 'audit' ? { AUDIT_SIGNING_KEY: auditSigningKey, AUDIT_SIGNING_KEY_ID: auditSigningKeyId } : {}),
      // A person's access history (audit's GET /inmates/:id/access-log) asks the other three services.
      ...(name === 'audit' && !process.env.ACCESS_LOG_SOURCES
        ? { ACCESS_LOG_SOURCES: JSON.stringify(services.filter((s) => s.name !== 'audit').map((s) => ({ service: s.name, url: `http://127.0.0.1:${s.port}` }))) }
        : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[${colour}m${name.padEnd(8)}|\x1b[0m `;
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => process.stdout.write(`${prefix}exited (${signal ?? code})\n`));
  return child;
});
console.log(`services: ${services.map((s) => `${s.name} http://127.0.0.1:${s.port}`).join(', ')} — Ctrl-C stops everything`);
console.log('event-signing keys: .infra/event-signing-keys/<service>.pem; their public halves: .infra/event-publisher-keys.json');
if (kafkaCredentials) {
  console.log(
    `Kafka: SASL/SCRAM on ${kafkaCredentials.brokers} with the ACLs of docs/security.md; the users and passwords of the services, the ministries ` +
      `(${Object.keys(kafkaCredentials.ministries).join(', ')}), the operators and the administrator: ${kafkaCredentialsFile}`,
  );
}
{
  // The auditor's CLI against this stack, from any folder: its database is audit's (the CLI's default
  // when DATABASE_URL is unset), and it trusts the ledger's public key only when told (docs/security.md).
  const auditUrl = new URL(adminUrl);
  auditUrl.pathname = '/audit';
  if (auditUrl.password) auditUrl.password = 'PASSWORD'; // not printed in the log
  const trust = process.env.AUDIT_SIGNING_KEY ? '' : ` AUDIT_TRUSTED_KEYS="$(cat ${auditTrustedKeysFile})"`;
  // It checks each entry's event signature with the services' public keys only when given them too.
  const publishers = ` EVENT_PUBLISHER_KEYS="$(cat ${join(root, '.infra', 'event-publisher-keys.json')})"`;
  console.log(`custody-audit: DATABASE_URL=${auditUrl}${trust}${publishers} npm exec --prefix ${root} -- custody-audit verify`);
}

let stopping = false;
let exitCode = 0;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the services…');
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await infrastructure.stop();
  process.exit(exitCode);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

if (untilReady) {
  const timeoutSeconds = Number(process.env.DEV_READY_TIMEOUT_SECONDS ?? 300);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const ready = new Set();
  while (ready.size < services.length && Date.now() < deadline && !stopping) {
    const exited = children.findIndex((child) => child.exitCode !== null || child.signalCode !== null);
    if (exited >= 0) break;
    for (const { name, port } of services) {
      if (ready.has(name)) continue;
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      if (response?.status === 200) {
        ready.add(name);
        console.log(`${name} is ready`);
      }
    }
    if (ready.size < services.length) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (ready.size === services.length) {
    console.log('the stack is healthy: every service answers /health/ready');
  } else {
    const exited = services.filter((_, i) => children[i].exitCode !== null || children[i].signalCode !== null).map((s) => s.name);
    if (exited.length > 0) console.error(`exited before the stack was ready: ${exited.join(', ')}`);
    console.error(`not ready after ${timeoutSeconds} s: ${services.filter((s) => !ready.has(s.name)).map((s) => s.name).join(', ')}`);
    exitCode = 1;
  }
  await stop();
}
