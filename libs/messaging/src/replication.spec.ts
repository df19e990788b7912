import { replicationOf, withReplication } from './topics';

describe('the replication of a topic left to the cluster', () => {
  it('takes three replicas where the cluster has three brokers or more, else one per broker', () => {
    expect([0, 1, 2, 3, 5].map(replicationOf)).toEqual([1, 1, 2, 3, 3]);
  });

  it('asks two in-sync replicas of a topic of three, unless its spec says otherwise, and keeps a spec that names its replicas', () => {
    expect(withReplication({ topic: 't', partitions: 6, replicationFactor: 0 }, 3)).toEqual({
      topic: 't', partitions: 6, replicationFactor: 3, config: { 'min.insync.replicas': '2' },
    });
    expect(withReplication({ topic: 't', partitions: 6, replicationFactor: 0, config: { 'retention.ms': '1' } }, 1)).toEqual({
      topic: 't', partitions: 6, replicationFactor: 1, config: { 'retention.ms': '1' },
    });
    expect(withReplication({ topic: 't', partitions: 6, replicationFactor: 0, config: { 'min.insync.replicas': '3' } }, 4).config).toEqual({ 'min.insync.replicas': '3' });
    expect(withReplication({ topic: 't', partitions: 1, replicationFactor: 1 }, 3)).toEqual({ topic: 't', partitions: 1, replicationFactor: 1 });
  });
});
