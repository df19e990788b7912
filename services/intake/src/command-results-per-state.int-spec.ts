import { randomUUID } from 'node:crypto';
import { commandResultsTopic, EXAMPLES, TOPICS, toKafkaMessage } from '@custody/contracts';
import { TopicNames } from '@custody/messaging';
import { TestMinistry, type CommandMessage } from '@custody/security/testing';
import { KafkaProbe, type Seen } from './testing/kafka-probe';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

const ACTOR = { BE: { state: 'BE', organisation: 'FPS Justice' }, AL: { state: 'AL', organisation: 'Ministry of Justice of Albania' } } as const;
type State = keyof typeof ACTOR;

/**
 * Command results per state (docs/adr/0015-command-results-per-state.md), on the real broker and
 * PostgreSQL: intake with Belgium's and Albania's keys creates custody.command-results.BE and .AL
 * at start; a Belgian command's result goes to the Belgian topic and never to the Albanian one; an
 * unsigned command's rejection, which no state can be named for, goes to the shared topic only.
 * With COMMAND_RESULTS_SHARED_TOPIC=on (the migration) every result is also copied to the shared
 * topic; with `off` nothing a state signed goes there. A resent command's stored result is
 * published again to the same topics.
 *
 * One partition per topic, so that what the absence of a message means is ordered: each topic's
 * last marker is recorded after the results looked for, and the relay publishes in the store's
 * order, so a result that went to a topic is read there before the marker.
 */
describe('command results on each state\'s own topic (real broker and PostgreSQL)', () => {
  let belgium: TestMinistry;
  let albania: TestMinistry;

  beforeAll(async () => {
    [belgium, albania] = await Promise.all([TestMinistry.create('BE'), TestMinistry.create('AL', 'RS256')]);
  });

  /** A registration as the ministry of `state` sends it (its own person), unsigned. */
  const registration = (state: State): CommandMessage & { id: string } => {
    const id = randomUUID();
    const inmateId = randomUUID();
    const { identity } = EXAMPLES.RegisterInmate as { identity: { documents: Array<Record<string, string>> } };
    const documents = identity.documents.map((d) => ({ ...d, number: `${d.number.slice(0, 3)}${inmateId.slice(0, 8)}` }));
    const body: Record<string, unknown> = { ...EXAMPLES.RegisterInmate, commandId: id, inmateId, sendingState: state, identity: { ...identity, documents } };
    return { id, ...toKafkaMessage({ id, type: 'RegisterInmate', schemaVersion: 1, data: body, metadata: { correlationId: id, occurredAt: body.occurredAt as string, actor: ACTOR[state] } }) };
  };

  /**
   * Runs the same commands against an intake with COMMAND_RESULTS_SHARED_TOPIC as given, and
   * answers where each result went: the topics (shared, BE, AL) on which each command's result was
   * read, once per copy.
   */
  async function scenario(shared: 'on' | 'off'): Promise<Record<'belgian' | 'albanian' | 'unsigned', string[]>> {
    let intake: IntakeTestApp | undefined;
    const probe = new KafkaProbe();
    try {
      intake = await startIntake(`results-${shared}`, {
        COMMAND_SIGNERS: JSON.stringify([belgium.signer(), albania.signer()]),
        COMMAND_RESULTS_SHARED_TOPIC: shared,
        KAFKA_PARTITIONS: '1',
      });
      const names = new TopicNames(intake.config.KAFKA_TOPIC_PREFIX);
      const topics = { shared: names.physical(TOPICS.commandResults), BE: names.physical(commandResultsTopic('BE')), AL: names.physical(commandResultsTopic('AL')) };
      // The state topics exist from the start: a reader can join before the first command.
      await probe.start(Object.values(topics));
      const send = (message: CommandMessage) => probe.sendRaw(names.physical(TOPICS.intakeCommands), message);
      const on = (topic: string, id: string) => (s: Seen) => s.topic === topic && s.value.commandId === id;

      const belgian = await belgium.sign(registration('BE'));
      const albanian = await albania.sign(registration('AL'));
      await send(belgian);
      await send(albanian);
      expect((await probe.waitFor('the Belgian result on the Belgian topic', on(topics.BE, belgian.headers.ce_id))).headers).toMatchObject({ ce_type: 'CommandAccepted', ce_actorstate: 'BE' });
      expect((await probe.waitFor('the Albanian result on the Albanian topic', on(topics.AL, albanian.headers.ce_id))).headers).toMatchObject({ ce_actorstate: 'AL' });

      // Belgium sends its command again (a retry after a timeout), then an unsigned command, then one marker per state.
      await send(belgian);
      const unsigned = registration('BE');
      await send(unsigned);
      const [belgianMarker, albanianMarker] = [await belgium.sign(registration('BE')), await albania.sign(registration('AL'))];
      await send(belgianMarker);
      await send(albanianMarker);
      expect((await probe.waitFor('the unsigned command\'s rejection on the shared topic', on(topics.shared, unsigned.id))).value).toMatchObject({ code: 'SIGNATURE_MISSING' });
      await probe.waitFor('the Belgian marker', on(topics.BE, belgianMarker.headers.ce_id));
      await probe.waitFor('the Albanian marker', on(topics.AL, albanianMarker.headers.ce_id));

      const where = (id: string) => probe.seen.filter((s) => s.value.commandId === id).map((s) => Object.entries(topics).find(([, topic]) => topic === s.topic)![0]).sort();
      return { belgian: where(belgian.headers.ce_id), albanian: where(albanian.headers.ce_id), unsigned: where(unsigned.id) };
    } finally {
      await probe.stop();
      await intake?.close();
    }
  }

  it('with the shared topic on (the migration), sends each result to its state\'s topic and a copy to the shared one; the unsigned rejection to the shared one only', async () => {
    expect(await scenario('on')).toEqual({
      // the result and, for the resent command, the same result again, on both topics
      belgian: ['BE', 'BE', 'shared', 'shared'],
      albanian: ['AL', 'shared'],
      unsigned: ['shared'],
    });
  });

  it('with the shared topic off, sends a Belgian command\'s result to custody.command-results.BE only, never to AL or the shared topic', async () => {
    expect(await scenario('off')).toEqual({
      belgian: ['BE', 'BE'],
      albanian: ['AL'],
      unsigned: ['shared'],
    });
  });
});
