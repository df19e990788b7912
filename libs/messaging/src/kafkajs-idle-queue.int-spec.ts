import { createTestTopics, kafkaBrokers, uniqueName } from '@custody/testing';
import { createKafka } from './kafka';

/**
 * kafkajs 2.2.4 re-armed its check of each connection's pending requests after every response
 * with a negative delay (Node 24: TimeoutNegativeWarning, then a check every millisecond while
 * idle). Once kafkajs-idle-queue.ts is loaded (by kafka.ts, and by the integration tests' setup)
 * the check is armed only when a request is pending: on the real broker, requests still flow.
 */
describe('kafkajs connections at rest (real broker)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('arm no timer with a negative delay, whatever the requests and answers, and still carry every request', async () => {
    const delays: number[] = [];
    const setTimeoutOf = global.setTimeout as (...args: unknown[]) => NodeJS.Timeout;
    jest.spyOn(global, 'setTimeout').mockImplementation(((callback: () => void, delay?: number, ...args: unknown[]) => {
      delays.push(delay ?? 0);
      return setTimeoutOf(callback, delay, ...args);
    }) as typeof setTimeout);

    const [topic] = await createTestTopics(['idle-queue']);
    const kafka = createKafka({ clientId: uniqueName('idle-queue'), brokers: kafkaBrokers() });
    const admin = kafka.admin();
    const producer = kafka.producer();
    try {
      await admin.connect();
      await producer.connect();
      for (let i = 0; i < 5; i++) {
        await producer.send({ topic, messages: [{ key: `k${i}`, value: `v${i}` }] });
        expect(await admin.listTopics()).toContain(topic);
      }
      const [partition] = await admin.fetchTopicOffsets(topic);
      expect(partition.high).toBe('5');
    } finally {
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
    expect(delays.length).toBeGreaterThan(0); // the spy saw kafkajs's timers (connection and request timeouts)
    expect(delays.filter((delay) => delay < 0).slice(0, 3)).toEqual([]);
  });
});
