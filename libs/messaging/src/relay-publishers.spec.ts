import type { Kafka, ProducerBatch, ProducerConfig, RecordMetadata } from 'kafkajs';
import { producerPublisher, RecordingPartitioner, RelayPartialSendError, RelayUnsafeRetryError, splitByLeader, transactionalPublisher, unacknowledgedPartitions, unsafeRetry } from './relay-publishers';

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
    admin: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchOffsets: async () => [],
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({ topics: topics.map((name) => ({ name, partitions: metadata })) }),
    }),
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

describe('a send retried after an attempt that went to several brokers at once', () => {
  const leaders = (...ids: number[]) => new Set(ids);

  it('is safe when it was not retried, or when every attempt before the last went to one broker', () => {
    expect(unsafeRetry([])).toBeUndefined();
    expect(unsafeRetry([leaders(1, 2, 3)])).toBeUndefined();
    expect(unsafeRetry([leaders(1), leaders(1), leaders(2, 3)])).toBeUndefined();
  });

  it('names the brokers of an earlier attempt that went to several', () => {
    expect(unsafeRetry([leaders(3, 1), leaders(1, 2)])).toEqual([1, 3]);
    expect(unsafeRetry([leaders(1), leaders(2, 1), leaders(2)])).toEqual([1, 2]);
  });

  it('the recording partitioner counts the attempts of a send by the messages routed again, with their leaders', async () => {
    const recorder = new RecordingPartitioner();
    const partition = recorder.create();
    const messages = ['inmate-1', 'inmate-2', 'inmate-3', 'inmate-4', 'inmate-5', 'inmate-6'].map((key) => ({ key, value: key }));
    const before = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 + partitionId, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const after = before.map((p) => ({ ...p, leader: 2 }));
    const { leadersPerAttempt, routed } = await recorder.recording(async () => {
      for (const message of messages) partition({ topic: 't', partitionMetadata: before, message });
      for (const message of messages) partition({ topic: 't', partitionMetadata: after, message });
    });
    expect(leadersPerAttempt).toHaveLength(2);
    expect(leadersPerAttempt[0].size).toBeGreaterThan(1);
    expect(leadersPerAttempt[1]).toEqual(new Set([2]));
    expect(unsafeRetry(leadersPerAttempt)).toEqual([...leadersPerAttempt[0]].sort());
    expect(routed.size).toBeGreaterThan(1);
    // The partitions it last routed with are kept for the next split.
    expect(recorder.partitionsOf('t')).toBe(after);
  });
});

describe('a batch split by leader', () => {
  const partitions = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: [7, 3, 7, 5][partitionId], partitionErrorCode: 0, replicas: [3, 5, 7], isr: [3, 5, 7] }));
  const keys = Array.from({ length: 40 }, (_, i) => `inmate-${i}`);

  it('puts each message with the leader of its partition, partition set, order kept within a partition, brokers in node-id order', () => {
    const batch = [
      { topic: 'a', messages: keys.map((key) => ({ key, value: `a-${key}` })) },
      { topic: 'b', messages: keys.map((key) => ({ key, value: `b-${key}` })) },
    ];
    const parts = splitByLeader(batch, () => partitions);
    const route = new RecordingPartitioner().create();
    const expected = (topic: string, key: string) => route({ topic, partitionMetadata: partitions, message: { key, value: null } });
    const leaderOfPart = parts.map((part) => new Set(part.flatMap((t) => t.messages.map((m) => partitions[m.partition!].leader))));
    expect(leaderOfPart).toEqual([new Set([3]), new Set([5]), new Set([7])]);
    const all = parts.flatMap((part) => part.flatMap((t) => t.messages.map((m) => ({ topic: t.topic, key: String(m.key), value: String(m.value), partition: m.partition }))));
    expect(all).toHaveLength(80);
    for (const m of all) expect(m.partition).toBe(expected(m.topic, m.key));
    for (const topic of ['a', 'b']) {
      for (const partition of [0, 1, 2, 3]) {
        const values = all.filter((m) => m.topic === topic && m.partition === partition).map((m) => m.value);
        expect(values).toEqual(keys.map((key) => `${topic}-${key}`).filter((value) => values.includes(value)));
      }
    }
  });

  it('leaves a topic whose partitions the producer does not know unrouted, in a part of its own', () => {
    const parts = splitByLeader([{ topic: 'new', messages: [{ key: 'k', value: 'v' }] }, { topic: 'a', messages: [{ key: 'k', value: 'v' }] }], (topic) =>
      topic === 'a' ? partitions : undefined,
    );
    expect(parts[0]).toEqual([{ topic: 'new', messages: [{ key: 'k', value: 'v' }] }]);
    expect(parts.slice(1).flatMap((part) => part.map((t) => t.topic))).toEqual(['a']);
  });
});

describe('the transactional publisher over several brokers', () => {
  /** A stand-in for kafkajs whose partitions 0..3 are led by brokers 1, 2, 1, 2; with `moveLeadersDuringSend`, a send routes its messages twice (a retry) with other leaders. */
  function kafkaOverTwoBrokers(options: { moveLeadersDuringSend?: boolean } = {}) {
    const calls: string[] = [];
    const metadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1 + (partitionId % 2), partitionErrorCode: 0, replicas: [1, 2], isr: [1, 2] }));
    let createPartitioner: ProducerConfig['createPartitioner'];
    let partition: ReturnType<NonNullable<ProducerConfig['createPartitioner']>> | undefined;
    const sendBatch = async ({ topicMessages = [] }: ProducerBatch): Promise<RecordMetadata[]> => {
      partition ??= createPartitioner!();
      const route = (partitionMetadata: typeof metadata) =>
        topicMessages.flatMap(({ topic, messages }) => messages.map((message) => `${topic}/${partition!({ topic, partitionMetadata, message })}`));
      let routed: string[];
      if (options.moveLeadersDuringSend) {
        // The leaders moved since the split (partitions 0, 1 on broker 1; 2, 3 on broker 2): the
        // first attempt goes to both brokers, and kafkajs retries it.
        const moved = metadata.map((p) => ({ ...p, leader: p.partitionId < 2 ? 1 : 2 }));
        route(moved);
        routed = route(moved);
      } else {
        routed = route(metadata);
      }
      calls.push(`sendBatch ${[...new Set(routed)].sort().join(',')}`);
      return [...new Set(routed)].map((key) => ({ topicName: key.split('/')[0], partition: Number(key.split('/')[1]), errorCode: 0, baseOffset: '0' }));
    };
    let active = false;
    const producer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
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
      admin: () => ({
        connect: async () => undefined,
        disconnect: async () => undefined,
        fetchOffsets: async () => [],
        fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({ topics: topics.map((name) => ({ name, partitions: metadata })) }),
      }),
    } as unknown as Kafka;
    return { kafka, calls };
  }
  const batch = [{ topic: 't', messages: Array.from({ length: 30 }, (_, i) => ({ key: `inmate-${i}`, value: `v-${i}` })) }];

  it('sends one broker\'s partitions at a time, then commits', async () => {
    const { kafka, calls } = kafkaOverTwoBrokers();
    const term = await transactionalPublisher({ kafka, transactionalId: 'tx', checkpointTopic: 'cp' }).begin();
    calls.length = 0;
    await term.publish(batch, '42');
    expect(calls).toEqual(['sendBatch t/0,t/2', 'sendBatch t/1,t/3', 'sendOffsets', 'commit']);
  });

  it('aborts, without its checkpoint, a send retried after an attempt that went to both brokers', async () => {
    const { kafka, calls } = kafkaOverTwoBrokers({ moveLeadersDuringSend: true });
    const term = await transactionalPublisher({ kafka, transactionalId: 'tx', checkpointTopic: 'cp' }).begin();
    calls.length = 0;
    const failure = term.publish(batch, '42');
    await expect(failure).rejects.toBeInstanceOf(RelayUnsafeRetryError);
    await expect(failure).rejects.toMatchObject({ code: 'RELAY_UNSAFE_RETRY', brokers: [1, 2] });
    expect(calls).toEqual(['sendBatch t/0,t/2', 'abort']);
  });
});
