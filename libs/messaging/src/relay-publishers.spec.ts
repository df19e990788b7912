import type { Kafka, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { producerPublisher, RecordingPartitioner, RelayPartialSendError, transactionalPublisher, unacknowledgedPartitions } from './relay-publishers';

const ok = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0, baseOffset: '0' });

describe('a batch acknowledged only in part', () => {
  it('finds nothing missing when every routed partition is acknowledged', () => {
    expect(unacknowledgedPartitions(['a/0', 'a/2', 'b/1', 'a/0'], [ok('a', 0), ok('a', 2), ok('b', 1)])).toEqual([]);
  });

  it('names a partition the answer leaves out (a retry that skipped it after its leader moved)', () => {
    expect(unacknowledgedPartitions(['a/0', 'a/1', 'a/2'], [ok('a', 1), ok('a', 2)])).toEqual(['a/0']);
  });

  it('names a partition answered with an error code, and one of another topic with the same number', () => {
    const answer = [ok('a', 0), { ...ok('a', 1), errorCode: 6 }, ok('b', 0)];
    expect(unacknowledgedPartitions(['a/0', 'a/1', 'b/0', 'b/1'], answer)).toEqual(['a/1', 'b/1']);
  });
});

describe('the recording partitioner', () => {
  const metadata = [0, 1, 2, 3, 4, 5].map((partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

  it('routes as the default partitioner does and records, per send, every partition it routed to', async () => {
    const recorder = new RecordingPartitioner();
    const partition = recorder.create();
    const keys = ['inmate-1', 'inmate-2', 'inmate-3', 'inmate-4', 'inmate-5', 'inmate-6', 'inmate-7'];
    const { answer, routed } = await recorder.recording(async () =>
      keys.map((key) => partition({ topic: 't', partitionMetadata: metadata, message: { key, value: null } })),
    );
    expect(routed).toEqual(new Set(answer.map((p) => `t/${p}`)));
    // Same key, same partition: the routing is the key's, not the call's.
    const again = recorder.create();
    expect(keys.map((key) => again({ topic: 't', partitionMetadata: metadata, message: { key, value: null } }))).toEqual(answer);
    expect(new Set(answer).size).toBeGreaterThan(1);
  });

  it('records nothing outside a send, and forgets a send once it ends (even when it failed)', async () => {
    const recorder = new RecordingPartitioner();
    const partition = recorder.create();
    partition({ topic: 't', partitionMetadata: metadata, message: { key: 'outside', value: null } });
    await expect(
      recorder.recording(async () => {
        partition({ topic: 't', partitionMetadata: metadata, message: { key: 'inside', value: null } });
        throw new Error('broker gone');
      }),
    ).rejects.toThrow('broker gone');
    const { routed } = await recorder.recording(async () => undefined);
    expect(routed.size).toBe(0);
  });
});

/**
 * A stand-in for kafkajs that routes each message through the producer's partitioner, as kafkajs
 * does, and answers for every partition but those in `drop`: what kafkajs 2.2 answers when a
 * retry skipped a partition whose leader moved. (The real broker's case is in cluster.int-spec.ts.)
 */
function kafkaDropping(drop: Set<string>) {
  const calls: string[] = [];
  const metadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
  let createPartitioner: ProducerConfig['createPartitioner'];
  const sendBatch = async ({ topicMessages = [] }: ProducerBatch): Promise<RecordMetadata[]> => {
    calls.push('sendBatch');
    const partition = createPartitioner!();
    const routed = new Set<string>();
    for (const { topic, messages } of topicMessages)
      for (const message of messages) routed.add(`${topic}/${partition({ topic, partitionMetadata: metadata, message })}`);
    return [...routed]
      .filter((key) => !drop.has(key))
      .map((key) => ({ topicName: key.split('/')[0], partition: Number(key.split('/')[1]), errorCode: 0, baseOffset: '0' }));
  };
  let active = false;
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch,
    transaction: async () => {
      active = true;
      return {
        sendBatch,
        sendOffsets: async () => void calls.push('sendOffsets'),
        commit: async () => { calls.push('commit'); active = false; },
        abort: async () => { calls.push('abort'); active = false; },
        isActive: () => active,
      };
    },
  };
  const kafka = {
    producer: (config: ProducerConfig) => {
      createPartitioner = config.createPartitioner;
      return producer;
    },
    admin: () => ({ connect: async () => undefined, disconnect: async () => undefined, fetchOffsets: async () => [] }),
  } as unknown as Kafka;
  return { kafka, calls, producer };
}

describe('a publisher given a batch acknowledged only in part', () => {
  const keys = Array.from({ length: 30 }, (_, i) => `inmate-${i}`);
  const batch = [{ topic: 't', messages: keys.map((key) => ({ key, value: key })) }];

  it('transactional: aborts the transaction, commits no checkpoint, and names the partition', async () => {
    const { kafka, calls } = kafkaDropping(new Set(['t/1']));
    const term = await transactionalPublisher({ kafka, transactionalId: 'tx', checkpointTopic: 'cp' }).begin();
    calls.length = 0; // the empty transaction that fences earlier terms
    const failure = term.publish(batch, '42');
    await expect(failure).rejects.toBeInstanceOf(RelayPartialSendError);
    await expect(failure).rejects.toThrow('without partition(s) t/1');
    expect(calls).toEqual(['sendBatch', 'abort']);
  });

  it('transactional: commits the batch with its checkpoint when every partition is acknowledged', async () => {
    const { kafka, calls } = kafkaDropping(new Set());
    const term = await transactionalPublisher({ kafka, transactionalId: 'tx', checkpointTopic: 'cp' }).begin();
    calls.length = 0;
    await term.publish(batch, '42');
    expect(calls).toEqual(['sendBatch', 'sendOffsets', 'commit']);
  });

  it('at-least-once, given the producer\'s recording partitioner: fails the batch, so that the checkpoint does not move', async () => {
    const { kafka } = kafkaDropping(new Set(['t/2']));
    const routing = new RecordingPartitioner();
    const producer = kafka.producer({ createPartitioner: routing.create });
    const term = await producerPublisher(producer, routing).begin();
    await expect(term.publish(batch, '42')).rejects.toThrow('without partition(s) t/2');
  });
});
