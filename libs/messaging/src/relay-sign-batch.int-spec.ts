import { randomUUID } from 'node:crypto';
import { eventually, uniqueName } from '@custody/testing';
import type { IHeaders } from 'kafkajs';
import type { OutboundMessage } from './relay';
import { inmateRegistered, residenceStatusRecorded } from './testing/events';
import { Harness } from './testing/harness';
import { RELAY_CLIENTS } from './relay-publisher-platformatic';

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/**
 * The relay's batch signer hook (RelayOptions.signBatch, docs/adr/0013-signed-events.md): called
 * once per batch with the batch's routed messages, in order; what it returns is what the broker
 * gets. The signer here is a stand-in (it stamps each message with its call and place) so that the
 * hook's contract is tested apart from the cryptography (@custody/security's tests).
 */
describe.each(RELAY_CLIENTS)('the relay\'s batch signer hook (real broker and PostgreSQL) (relay on %s)', (relayClient) => {
  let h: Harness;
  let stopReader = async () => undefined as unknown;
  const published: Array<Record<string, string>> = [];

  beforeAll(async () => {
    h = await Harness.create('relay-sign-batch', { relayClient, partitions: 2 });
    const reader = h.kafka.consumer({ groupId: uniqueName('signed-reader') });
    await reader.connect();
    await reader.subscribe({ topic: h.topic, fromBeginning: true });
    await reader.run({ eachMessage: async ({ message }) => void published.push(text(message.headers)) });
    stopReader = () => reader.disconnect();
  });

  afterAll(async () => {
    await stopReader();
    await h?.close();
  });

  it('signs each batch in one call, every routed event once and in order, none the contract refused; a signer that throws has the batch sent again, never skipped', async () => {
    const inmateId = randomUUID();
    const events = [inmateRegistered(inmateId), residenceStatusRecorded(inmateId), inmateRegistered(), inmateRegistered(), residenceStatusRecorded(inmateId)];
    const broken = { ...inmateRegistered(), data: { inmateId: randomUUID(), nationalities: 'AL' } };
    await h.append(events.slice(0, 2));
    await h.append([broken]);
    await h.append(events.slice(2));

    const calls: string[][] = [];
    let failFirst = true;
    const signBatch = (messages: OutboundMessage[]): OutboundMessage[] => {
      calls.push(messages.map((m) => String(m.headers.ce_id)));
      if (failFirst) {
        failFirst = false;
        throw new Error('the signing key is not available yet');
      }
      return messages.map((m, index) => ({ ...m, headers: { ...m.headers, 'x-signed': `${calls.length}:${index}/${messages.length}` } }));
    };
    const lines: string[] = [];
    const relay = await h.startRelay({ signBatch, batchSize: 50, lingerMs: 200, log: (level, message) => lines.push(`${level} ${message}`) });

    await eventually(async () => (relay.status().published >= events.length ? true : undefined), { timeoutMs: 60_000, message: 'the five events published' });
    const byId = await eventually(async () => {
      const seen = new Map(published.map((headers) => [headers.ce_id, headers]));
      return events.every((e) => seen.has(e.id)) ? seen : undefined;
    }, { message: 'the five events read from the topic' });

    // The first call threw: nothing of that batch reached the broker unsigned; the batch was read and signed again.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(published.filter((headers) => !headers['x-signed'])).toEqual([]);
    expect(published.map((headers) => headers.ce_id).sort()).toEqual(events.map((e) => e.id).sort());
    // Every event signed in one successful call, in the store's order, the refused one never passed to the signer.
    const signedCalls = calls.slice(1);
    expect(signedCalls.flat()).toEqual(events.map((e) => e.id));
    expect(calls.flat()).not.toContain(broken.id);
    for (const event of events) {
      const [call, place] = byId.get(event.id)!['x-signed'].split(':');
      const [index, size] = place.split('/').map(Number);
      expect(calls[Number(call) - 1][index]).toBe(event.id);
      expect(calls[Number(call) - 1]).toHaveLength(size);
    }
    expect(lines.some((line) => line.includes('the signing key is not available yet'))).toBe(true);
  });
});
