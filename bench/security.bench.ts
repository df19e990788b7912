// `npm run bench -- security`: what protecting personal data and commands costs, each figure
// beside the same work without the protection, in the same run and process:
//   - personalData.seal / personalData.open: the identity of an InmateRegistered (names, birth,
//     documents) sealed per field with the person's data key (AES-256-GCM, padded) and serialised,
//     or parsed and opened; baseline: serialising or parsing the same event in clear.
//   - signature.verify.es256 / .rs256: a RegisterInmate command decoded through the check of its
//     ministry's detached JWS; baseline: the contract decoder alone on the same message.
//   - accessLog.append: one entry of the access log (append-only trigger, its indexes) per read
//     of personal data; baseline: the same INSERT into a copy of the table with no trigger and no
//     index (PostgreSQL, schemas of its own).
//   - personalData.seal.perField: the same sealing beside one AES-256-GCM over the whole identity,
//     the floor of encrypting it at all (per-field sealing is what lets erasure and reads name
//     fields, and binds each value to its person and path).
//   env: DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres), SECURITY_BENCH_ITERATIONS (20000)
import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { LEGACY_EXAMPLES, EXAMPLES, TOPICS, toKafkaMessage } from '@custody/contracts';
import { contractDecoder, TopicNames, type InboundMessage, type MessageDecoder } from '@custody/messaging';
import { TestMinistry } from '@custody/security/testing';
import { PostgresAccessLog, type Disclosure } from '@custody/platform';
import { generateDataKey, openFields, sealFields } from '@custody/personal-data';
import { commandDecoder } from '@custody/security';
import { median, writeReport, type Figure } from './lib/report';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ITERATIONS = Number(process.env.SECURITY_BENCH_ITERATIONS ?? 20_000);
const APPENDS = 2_000;
const REPETITIONS = 5;
const PATHS = ['identity.givenNames', 'identity.familyName', 'identity.dateOfBirth', 'identity.placeOfBirth', 'identity.documents'];
const log = (message: string) => process.stdout.write(`[security bench] ${message}\n`);

/** Operations per second of `work` over `count` calls, the median of REPETITIONS runs after a warm-up. */
function opsPerSecond(count: number, work: (i: number) => unknown): number {
  for (let i = 0; i < Math.min(2_000, count); i++) work(i);
  const rates: number[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    const started = performance.now();
    for (let i = 0; i < count; i++) work(i);
    rates.push(count / ((performance.now() - started) / 1000));
  }
  return median(rates);
}

function personalData(): Figure[] {
  const inmateId = randomUUID();
  const key = { kid: randomUUID(), key: generateDataKey() };
  const event: Record<string, unknown> = { ...(LEGACY_EXAMPLES.InmateRegistered[2] as Record<string, unknown>), inmateId };
  const sealedText = JSON.stringify(sealFields(event, PATHS, inmateId, key));
  const clearText = JSON.stringify(event);
  const access = { status: 'held' as const, key };
  const seal = opsPerSecond(ITERATIONS, () => JSON.stringify(sealFields(event, PATHS, inmateId, key)));
  const serialise = opsPerSecond(ITERATIONS, () => JSON.stringify(event));
  const open = opsPerSecond(ITERATIONS, () => openFields(JSON.parse(sealedText), PATHS, inmateId, access));
  const parse = opsPerSecond(ITERATIONS, () => JSON.parse(clearText));
  const identityText = JSON.stringify(event.identity);
  const oneCipher = opsPerSecond(ITERATIONS, () => {
    const cipher = createCipheriv('aes-256-gcm', key.key, randomBytes(12));
    return JSON.stringify({ ...event, identity: Buffer.concat([cipher.update(identityText, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64url') });
  });
  log(`an InmateRegistered: ${clearText.length} bytes in clear, ${sealedText.length} sealed`);
  return [
    {
      id: 'personalData.seal', what: 'an InmateRegistered with its 5 personal fields sealed (AES-256-GCM per field, padded to 32 bytes) and serialised',
      unit: 'events/s', higherIsBetter: true, ours: seal, baseline: { name: 'JSON.stringify of the same event in clear', value: serialise },
    },
    {
      id: 'personalData.seal.perField', what: 'the same sealing, beside the floor of encrypting the identity at all',
      unit: 'events/s', higherIsBetter: true, ours: seal, baseline: { name: 'one AES-256-GCM over the whole identity, then JSON.stringify', value: oneCipher },
    },
    {
      id: 'personalData.open', what: 'a sealed InmateRegistered parsed and its 5 personal fields opened with the held key',
      unit: 'events/s', higherIsBetter: true, ours: open, baseline: { name: 'JSON.parse of the same event in clear', value: parse },
    },
  ];
}

async function signatures(): Promise<Figure[]> {
  const names = new TopicNames('');
  const topic = names.physical(TOPICS.intakeCommands);
  const figures: Figure[] = [];
  for (const algorithm of ['ES256', 'RS256'] as const) {
    const ministry = await TestMinistry.create('BE', algorithm);
    const id = randomUUID();
    const data: Record<string, unknown> = { ...(EXAMPLES.RegisterInmate as Record<string, unknown>), commandId: id, inmateId: randomUUID() };
    const plain = toKafkaMessage({ id, type: 'RegisterInmate', schemaVersion: 1, data, metadata: { correlationId: id, occurredAt: data.occurredAt as string, actor: { state: 'BE', organisation: 'FPS Justice' } } });
    const signed = await ministry.sign({ key: plain.key, value: plain.value, headers: plain.headers });
    const inbound = (message: { key: string; value: string; headers: Record<string, string> }): InboundMessage => ({
      topic, partition: 0, offset: '0', key: Buffer.from(message.key), value: Buffer.from(message.value),
      headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)])),
    });
    const inner = contractDecoder(names);
    const verifying: MessageDecoder = commandDecoder({ COMMAND_SIGNATURES: 'required', COMMAND_SIGNERS: JSON.stringify([ministry.signer()]) }, inner, topic, {});
    const signedMessage = inbound(signed);
    const check = verifying.decode(signedMessage);
    if (!check.ok || check.event.type !== 'RegisterInmate') throw new Error(`the signed command did not verify: ${JSON.stringify(check)}`);
    const verified = opsPerSecond(ITERATIONS / 4, () => verifying.decode(signedMessage));
    const decoded = opsPerSecond(ITERATIONS / 4, () => inner.decode(signedMessage));
    figures.push({
      id: `signature.verify.${algorithm.toLowerCase()}`, what: `a RegisterInmate command decoded with its ${algorithm} detached JWS checked (key, command id and type, acting state)`,
      unit: 'commands/s', higherIsBetter: true, ours: verified, baseline: { name: 'the contract decoder alone on the same message', value: decoded },
    });
  }
  return figures;
}

async function accessLog(): Promise<Figure[]> {
  const pool = new Pool({ connectionString: DATABASE_URL, max: 2 });
  const schema = `bench_security_${randomBytes(4).toString('hex')}`;
  try {
    const store = new PostgresAccessLog(pool, schema);
    await store.migrate();
    // The floor: the same columns and the same INSERT (the store's own, pointed at another schema)
    // on a copy of the table with no trigger, no index and no constraint but NOT NULL.
    await pool.query(`CREATE SCHEMA "${schema}_plain"; CREATE TABLE "${schema}_plain".access_log (LIKE "${schema}".access_log INCLUDING DEFAULTS INCLUDING IDENTITY)`);
    const plainStore = new PostgresAccessLog(pool, `${schema}_plain`);
    const disclosure = (): Disclosure => ({
      service: 'intake', subject: 'officer@be', issuer: 'https://idp.justice.be', state: 'BE', organisation: 'FPS Justice', roles: ['intake-officer'],
      purpose: 'case BE-AL-2026-0042', recipient: 'FPS Justice', method: 'GET', route: '/inmates/:id', path: `/inmates/${randomUUID()}`, kind: 'inmate',
      personIds: [randomUUID()], jurisdictions: ['BE', 'AL'], status: 200, traceId: null, correlationId: null,
    });
    const rate = async (append: () => Promise<unknown>) => {
      for (let i = 0; i < 200; i++) await append();
      const rates: number[] = [];
      for (let r = 0; r < 3; r++) {
        const started = performance.now();
        for (let i = 0; i < APPENDS; i++) await append();
        rates.push(APPENDS / ((performance.now() - started) / 1000));
      }
      return median(rates);
    };
    const ours = await rate(() => store.append(disclosure()));
    const plain = await rate(() => plainStore.append(disclosure()));
    return [{
      id: 'accessLog.append', what: 'one access-log entry per read of personal data, one at a time (append-only trigger, indexes by person, reader and state)',
      unit: 'entries/s', higherIsBetter: true, ours, baseline: { name: 'the same INSERT into a copy of the table with no trigger and no index', value: plain },
    }];
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_plain" CASCADE`).catch(() => undefined);
    await pool.end();
  }
}

async function main(): Promise<void> {
  const figures: Figure[] = [];
  log(`personal fields (${ITERATIONS} events x ${REPETITIONS})`);
  figures.push(...personalData());
  log(`signed commands (${ITERATIONS / 4} commands x ${REPETITIONS})`);
  figures.push(...(await signatures()));
  log(`access log (${APPENDS} entries x 3)`);
  figures.push(...(await accessLog()));
  const { rows } = await new Pool({ connectionString: DATABASE_URL, max: 1 }).query<{ server_version: string }>('SHOW server_version').catch(() => ({ rows: [{ server_version: 'unknown' }] }));
  writeReport('security', { postgres: rows[0].server_version }, figures);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
