import { randomUUID } from 'node:crypto';
import { EXAMPLES, toKafkaMessage, TOPICS } from '@custody/contracts';
import { contractDecoder, type InboundMessage } from '@custody/messaging';
import { JwksSignerKeys } from './jwks-signers';
import { CommandSignatureVerifier, signedCommandDecoder, SignerKeyring } from './signatures';
import { TestJwksServer, TestMinistry, type CommandMessage } from './testing/test-ministry';

/**
 * Ministries that publish their command-signing keys at a JWKS URL (a real HTTP server on
 * 127.0.0.1): the keys are fetched before the first command, a key published later is taken on
 * the next fetch (which an unknown key starts at once), a key withdrawn stops verifying, a source
 * that fails keeps its last keys, and the state of every published key is the configuration's.
 */
describe('command-signing keys from a ministry\'s JWKS URL', () => {
  let server: TestJwksServer;
  let published: JwksSignerKeys;
  let decoder: ReturnType<typeof signedCommandDecoder>;
  const logs: string[] = [];

  const command = (actorState: string): CommandMessage => {
    const id = randomUUID();
    const data: Record<string, unknown> = { ...(EXAMPLES.RegisterInmate as Record<string, unknown>), commandId: id, inmateId: randomUUID(), sendingState: actorState };
    return toKafkaMessage({ id, type: 'RegisterInmate', schemaVersion: 1, data, metadata: { correlationId: id, occurredAt: data.occurredAt as string, actor: { state: actorState, organisation: 'Ministry of Justice' } } });
  };
  const inbound = (message: CommandMessage): InboundMessage => ({
    topic: TOPICS.intakeCommands, partition: 0, offset: '0', key: Buffer.from(message.key), value: Buffer.from(message.value),
    headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)])),
  });
  const outcome = async (ministry: TestMinistry, actorState = ministry.state) => {
    const result = decoder.decode(inbound(await ministry.sign(command(actorState))));
    return result.ok ? { ok: true, signer: result.event.extensions.signer } : { ok: false, code: result.failure.code, reason: result.failure.reason };
  };

  beforeAll(async () => {
    server = await TestJwksServer.start();
  });

  afterEach(() => published?.stop());

  afterAll(async () => {
    await server?.close();
  });

  const start = async (minIntervalMs = 0) => {
    const ring = new SignerKeyring();
    published = new JwksSignerKeys(ring, [{ state: 'BE', jwksUri: server.url }], { refreshMs: 60_000, minIntervalMs, log: (level, message) => logs.push(`${level}: ${message}`) });
    decoder = signedCommandDecoder(contractDecoder(), new CommandSignatureVerifier(ring, { RegisterInmate: (data, state) => data.sendingState === state }), [TOPICS.intakeCommands]);
    await published.start();
  };

  it('verifies a command signed with a published key, with the state of the configuration, and refuses another state\'s claim', async () => {
    const belgium = await TestMinistry.create('BE', 'ES256');
    const belgiumRsa = await TestMinistry.create('BE', 'RS256');
    server.publish(belgium.publicJwk(), belgiumRsa.publicJwk(), { kty: 'oct', kid: 'shared-secret', k: 'c2VjcmV0' });
    await start();
    expect(await outcome(belgium)).toEqual({ ok: true, signer: { state: 'BE', kid: belgium.kid } });
    expect(await outcome(belgiumRsa)).toEqual({ ok: true, signer: { state: 'BE', kid: belgiumRsa.kid } });
    // The key is Belgium's because the configuration says so: a command acting as Albania with it is refused.
    expect(await outcome(belgium, 'AL')).toMatchObject({ ok: false, code: 'UNAUTHORISED_ACTOR' });
    expect(published.sourceStatus()).toEqual([{ jwksUri: server.url, state: 'BE', keys: 2, fetchedAt: expect.any(String) }]);
    expect(logs).toContainEqual(expect.stringMatching(/warn: .*keys shared-secret left out/));
  });

  it('takes a key published later once an unknown key started a fetch, and drops a key withdrawn', async () => {
    const current = await TestMinistry.create('BE');
    const next = await TestMinistry.create('BE');
    server.publish(current.publicJwk());
    await start();
    const fetchesBefore = server.fetches;

    // Belgium rotates: it signs with a key it has just published. The first command is refused (and
    // answered, so Belgium knows), and the refusal makes the service fetch the set again.
    server.publish(current.publicJwk(), next.publicJwk());
    const first = await outcome(next);
    expect(first).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID', reason: expect.stringContaining('fetched again now') });
    await waitFor(() => server.fetches > fetchesBefore && published.sourceStatus()[0].keys === 2);
    expect(await outcome(next)).toMatchObject({ ok: true });

    // The old key withdrawn from the set: it stops verifying at the next fetch.
    server.publish(next.publicJwk());
    await published.refresh();
    expect(await outcome(current)).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID' });
    expect(await outcome(next)).toMatchObject({ ok: true });
  });

  it('keeps the last keys of a source that fails, says so in the refusal of an unknown key, and fetches at most once per interval', async () => {
    const belgium = await TestMinistry.create('BE');
    server.publish(belgium.publicJwk());
    await start(60_000);
    server.fail(503);
    await published.refresh();
    expect(published.sourceStatus()[0]).toMatchObject({ keys: 1, error: 'HTTP 503' });
    expect(await outcome(belgium)).toMatchObject({ ok: true });
    expect(logs).toContainEqual(expect.stringMatching(/error: command-signing keys of BE not fetched from .*: HTTP 503 \(the last keys fetched, if any, stay in use\)/));

    const stranger = await TestMinistry.create('BE');
    const fetches = server.fetches;
    const refused = await outcome(stranger);
    expect(refused).toMatchObject({ ok: false, code: 'SIGNATURE_INVALID', reason: expect.stringContaining(`not fetched: ${server.url} (HTTP 503)`) });
    await outcome(stranger);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The last refresh ran just now: unknown keys within the interval start no new fetch.
    expect(server.fetches).toBe(fetches);
  });

  it('refuses a key id another source or the configuration already names', () => {
    const ring = new SignerKeyring();
    const belgiumKey = { kid: 'k-1', key: {} as never };
    expect(ring.replace('https://be/jwks', 'BE', [belgiumKey])).toEqual([]);
    expect(ring.replace('https://al/jwks', 'AL', [{ kid: 'k-1', key: {} as never }, { kid: 'k-2', key: {} as never }])).toEqual(['k-1']);
    expect(ring.get('k-1')?.state).toBe('BE');
    expect(ring.get('k-2')?.state).toBe('AL');
    expect(ring.size).toBe(2);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the key set to be fetched');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
