import type { PartitionMetadata } from 'kafkajs';
import { custodyPartitioner } from './kafka';
import { partitionOfKey, unconsumed } from './arrivals';

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 }));

describe('whether a group has consumed a partition (docs/adr/0012-not-yet-known-here.md)', () => {
  it('is behind while its committed offset is short of the end', () => {
    expect(unconsumed({ committed: 7, low: 0, end: 10 })).toBe(3);
    expect(unconsumed({ committed: 9, low: 0, end: 10 })).toBe(1);
  });

  it('has consumed everything once its committed offset reaches the end', () => {
    expect(unconsumed({ committed: 10, low: 0, end: 10 })).toBe(0);
  });

  it('without a committed offset, reads from the first offset: behind when the partition holds messages, consumed when it holds none', () => {
    expect(unconsumed({ committed: -1, low: 0, end: 4 })).toBe(4);
    expect(unconsumed({ committed: -1, low: 0, end: 0 })).toBe(0);
    expect(unconsumed({ committed: -1, low: 12, end: 12 })).toBe(0);
  });

  it('counts only what retention kept when the committed offset lies below the first offset', () => {
    expect(unconsumed({ committed: 3, low: 8, end: 10 })).toBe(2);
    expect(unconsumed({ committed: 3, low: 10, end: 10 })).toBe(0);
  });
});

describe('the partition of a key', () => {
  it('is the one our producers send the key\'s messages to', () => {
    const producerPartition = custodyPartitioner();
    for (const key of ['3f1c2b9e-5a1d-4c3e-9f7a-1b2c3d4e5f60', 'a', 'ledger', '00000000-0000-4000-8000-000000000000']) {
      for (const n of [1, 2, 3, 6, 12]) {
        const expected = producerPartition({ topic: 't', partitionMetadata: partitions(n), message: { key, value: 'x' } });
        expect(partitionOfKey('t', key, partitions(n))).toBe(expected);
      }
    }
  });

  it('depends on the key and the partition count only, not on the topic, and spreads persons over the partitions', () => {
    const spread = new Set(Array.from({ length: 50 }, (_, i) => partitionOfKey('t', `person-${i}`, partitions(6))));
    expect(spread.size).toBeGreaterThan(1);
    expect(partitionOfKey('t', 'a', partitions(6))).toBe(partitionOfKey('other-topic', 'a', partitions(6)));
  });
});
