import { randomUUID } from 'node:crypto';
import type { GlobalEvent, NewEvent } from '@custody/event-store';
import { eventually, kafkaBrokers } from '@custody/testing';
import type { Message } from 'kafkajs';
import { run } from './admin/cli';
import { REPLAYED_FROM_HEADER } from './admin/dead-letters';
import { contractRoute } from './contract-codec';
import { PermanentHandlerError } from './consumer';
import { deadLetterTopic } from './topics';
import { inmateRegistered } from './testing/events';
import { Harness } from './testing/harness';

/**
 * custody-admin dlq against the real broker and PostgreSQL: dead letters listed with their
 * reasons, one shown whole (personal data redacted), chosen ones replayed onto their topic through
 * the normal path, the consumer applying each once; a replay of one already applied changes
 * nothing.
 */
describe('custody-admin dlq: dead letters listed, shown and replayed', () => {
  let h: Harness;
  let dlq: string;
  /** The handler's defect, fixed once the dead letters are to be replayed. */
  let defective = true;
  const refused = new Set<string>();

  beforeAll(async () => {
    h = await Harness.create('dlq-admin', { partitions: 1 });
    dlq = deadLetterTopic(h.topic);
  });

  afterAll(async () => {
    await h?.close();
  });

  async function admin(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await run(['--brokers', kafkaBrokers().join(','), ...argv], {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      env: {},
    });
    return { code, stdout, stderr };
  }

  function message(event: NewEvent): Message {
    const global = { ...event, streamName: 'inmate-x', revision: 0, position: 0n, recordedAt: new Date().toISOString(), checkpoint: 0 } as unknown as GlobalEvent;
    const { key, value, headers } = contractRoute(h.names)(global)!;
    return { key, value, headers };
  }

  it('lists the dead letters with their reasons, shows one, and replays chosen ones once', async () => {
    const consumer = await h.startConsumer({
      retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      handler: async (event, context) => {
        if (defective && event.type === 'InmateRegistered' && (event.data as { holdingFacility?: { reference?: string } }).holdingFacility?.reference === 'BE-DEFECT') {
          throw new TypeError("Cannot read properties of undefined (reading 'facilityId')");
        }
        if (refused.has(event.id)) throw new PermanentHandlerError('FACILITY_NOT_FOUND', 'No facility is registered under this id.');
        await Harness.recordEffect(event, context);
      },
    });
    const defect = inmateRegistered();
    (defect.data as { holdingFacility: { reference: string } }).holdingFacility.reference = 'BE-DEFECT';
    const refusal = inmateRegistered();
    refused.add(refusal.id);
    const poison = { ...message(inmateRegistered()), value: '{"inmateId": ' };
    const fine = inmateRegistered();
    const producer = await h.producer();
    const startedAt = new Date(Date.now() - 1_000).toISOString();
    await producer.send({ topic: h.topic, acks: -1, messages: [message(defect), message(refusal), poison, message(fine)] });
    await eventually(() => (h.outcomes.filter((o) => o.kind === 'dead-lettered').length >= 3 && h.outcomes.some((o) => o.kind === 'processed') ? true : undefined), {
      message: 'three dead letters and the fine event processed',
    });
    const poisonId = String((poison.headers as Record<string, string>).ce_id);

    // list: every dead letter, where it came from and why.
    const listed = await admin('dlq', 'list', '--topic', dlq);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^AT\s+FAILED AT\s+CODE\s+ATTEMPTS\s+FROM\s+CE_ID\s+TYPE\s+REASON$/);
    expect(listed.stdout).toContain(`0@0`);
    for (const [id, code] of [[defect.id, 'HANDLER_FAILED'], [refusal.id, 'FACILITY_NOT_FOUND'], [poisonId, 'INVALID_ENVELOPE']]) {
      expect(listed.stdout.split('\n').find((line) => line.includes(id))).toContain(code);
    }
    expect(listed.stderr).toBe('3 dead letter(s)\n');
    const json = (await admin('dlq', 'list', '--topic', dlq, '--format', 'json')).stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(json.map((l) => [l.id, l.code, l.attempts, l.original])).toEqual([
      [defect.id, 'HANDLER_FAILED', 2, { topic: h.topic, partition: 0, offset: '0' }],
      [refusal.id, 'FACILITY_NOT_FOUND', 1, { topic: h.topic, partition: 0, offset: '1' }],
      [poisonId, 'INVALID_ENVELOPE', 0, { topic: h.topic, partition: 0, offset: '2' }],
    ]);
    expect(json[0].reason).toContain("reading 'facilityId'");
    // Filters: by code, by time, by id.
    expect((await admin('dlq', 'list', '--topic', dlq, '--format', 'json', '--code', 'HANDLER_FAILED')).stdout.trim().split('\n')).toHaveLength(1);
    expect((await admin('dlq', 'list', '--topic', dlq, '--since', startedAt, '--id', refusal.id, '--format', 'json')).stdout).toContain(refusal.id);
    const future = await admin('dlq', 'list', '--topic', dlq, '--since', new Date(Date.now() + 3_600_000).toISOString());
    expect(future).toMatchObject({ code: 0, stdout: `no dead letters in ${dlq} that match\n` });

    // show: the whole dead letter, personal data redacted unless --raw.
    const shown = await admin('dlq', 'show', '--topic', dlq, '--id', defect.id);
    expect(shown.code).toBe(0);
    const letter = JSON.parse(shown.stdout) as { headers: Record<string, string>; value: Record<string, unknown>; key: string };
    expect(letter.headers).toMatchObject({ ce_id: defect.id, ce_type: 'InmateRegistered', dlq_code: 'HANDLER_FAILED', dlq_original_topic: h.topic });
    expect(letter.value).toMatchObject({ inmateId: (defect.data as { inmateId: string }).inmateId, identity: '[redacted]', nationalities: '[redacted]', sendingState: 'BE' });
    expect(letter.key).toBe((defect.data as { inmateId: string }).inmateId);
    const raw = JSON.parse((await admin('dlq', 'show', '--topic', dlq, '--id', defect.id, '--raw')).stdout) as { value: string };
    expect(JSON.parse(raw.value)).toMatchObject({ identity: { familyName: 'Hoxha' } });

    // replay: the defect fixed, the refused facility registered; each applied once.
    defective = false;
    refused.clear();
    const replayed = await admin('dlq', 'replay', '--topic', dlq, '--id', `${defect.id},${refusal.id}`);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain(`replayed ${defect.id} InmateRegistered (HANDLER_FAILED) from ${dlq}/0@0 to ${h.topic}/0@`);
    expect(replayed.stdout).toContain(`replayed ${refusal.id} InmateRegistered (FACILITY_NOT_FOUND) from ${dlq}/0@1 to ${h.topic}/0@`);
    await eventually(async () => {
      const ids = (await h.effects()).map((e) => e.event_id);
      return ids.includes(defect.id) && ids.includes(refusal.id) ? true : undefined;
    }, { message: 'the replayed events applied' });
    const replay = h.outcomes.find((o) => o.kind === 'processed' && o.event.id === defect.id)!;
    expect(String(replay.message.headers[REPLAYED_FROM_HEADER])).toBe(`${dlq}/0@0`);
    expect(Object.keys(replay.message.headers).filter((name) => name.startsWith('dlq_') && name !== REPLAYED_FROM_HEADER)).toEqual([]);

    // A replay of one already applied changes nothing: the inbox knows its ce_id.
    const again = await admin('dlq', 'replay', '--topic', dlq, '--id', defect.id);
    expect(again.code).toBe(0);
    await eventually(() => (h.outcomes.some((o) => o.kind === 'duplicate' && o.event.id === defect.id) ? true : undefined), { message: 'the second replay seen as a duplicate' });
    const effects = (await h.effects()).map((e) => e.event_id);
    expect(effects.filter((id) => id === defect.id)).toHaveLength(1);
    expect(effects.filter((id) => id === refusal.id)).toHaveLength(1);
    expect(effects.filter((id) => id === fine.id)).toHaveLength(1);

    // The poison replayed is set aside again, with the same reason; the dead-letter topic tells the story.
    expect((await admin('dlq', 'replay', '--topic', dlq, '--id', poisonId, '--dry-run')).stdout).toBe(`would replay ${poisonId} InmateRegistered (INVALID_ENVELOPE) from ${dlq}/0@2 onto ${h.topic}\n`);

    // What cannot be done as asked says so.
    const unknown = randomUUID();
    expect(await admin('dlq', 'replay', '--topic', dlq, '--id', unknown)).toMatchObject({ code: 1, stderr: `no dead letter with ce_id ${unknown} in ${dlq}\n` });
    expect(await admin('dlq', 'replay', '--topic', dlq)).toMatchObject({ code: 2, stderr: expect.stringContaining('replay needs --id or --code, or --all') });
    expect(await admin('dlq', 'list', '--topic', h.topic)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a dead-letter topic') });
    expect(await admin('dlq', 'list', '--topic', `${h.topic}.nothing.dlq`)).toMatchObject({ code: 2, stderr: expect.stringContaining('there is no topic') });
    expect(await admin('dlq', 'list', '--topic', dlq, '--since', 'yesterday')).toMatchObject({ code: 2 });
    await consumer.stop();
  });
});
