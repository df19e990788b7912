import { ProtocolError, ResponseError, MultipleErrors } from '@platformatic/kafka';
import type { PartitionMetadata } from 'kafkajs';
import { custodyPartitioner } from './kafka';
import { platformaticConnection, platformaticMessages, unacknowledgedByPlatformatic } from './relay-publisher-platformatic';
import { isFenced, RelayFencedError, fencedOr } from './relay-publishers';

const partitions = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1 + (partitionId % 3), partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe("the @platformatic/kafka publisher's messages", () => {
  it('go to the partition the custody partitioner (kafkajs producers\') chooses for their key, given explicitly', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `inmate-${i}`);
    const messages = platformaticMessages([{ topic: 't', messages: keys.map((key) => ({ key, value: 'v' })) }], () => partitions(6));
    const route = custodyPartitioner();
    expect(messages.map((m) => m.partition)).toEqual(keys.map((key) => route({ topic: 't', partitionMetadata: partitions(6), message: { key, value: 'v' } })));
    expect(new Set(messages.map((m) => m.partition)).size).toBeGreaterThan(3);
  });

  it('keep their key, value, headers (a header of several values repeated) and timestamp, as Buffers', () => {
    const [message] = platformaticMessages(
      [{ topic: 't', messages: [{ key: 'inmate-1', value: Buffer.from([0, 1, 2]), timestamp: '1765000000123', headers: { ce_id: 'id-1', sig: Buffer.from('s'), many: ['a', 'b'], gone: undefined } }] }],
      () => partitions(3),
    );
    expect(message.topic).toBe('t');
    expect(message.key).toEqual(Buffer.from('inmate-1'));
    expect(message.value).toEqual(Buffer.from([0, 1, 2]));
    expect(message.timestamp).toBe(1765000000123n);
    expect([...(message.headers as Map<Buffer, Buffer>)].map(([name, value]) => [String(name), String(value)])).toEqual([
      ['ce_id', 'id-1'],
      ['sig', 's'],
      ['many', 'a'],
      ['many', 'b'],
    ]);
  });

  it('keep the topics and the order of the batch', () => {
    const messages = platformaticMessages(
      [
        { topic: 'a', messages: [{ key: 'k1', value: '1' }, { key: 'k2', value: '2' }] },
        { topic: 'b', messages: [{ key: 'k3', value: '3' }] },
      ],
      () => partitions(2),
    );
    expect(messages.map((m) => `${m.topic}:${String(m.value)}`)).toEqual(['a:1', 'a:2', 'b:3']);
  });
});

describe("the @platformatic/kafka publisher's answer check", () => {
  const message = (topic: string, partition: number) => ({ topic, partition, key: Buffer.from('k'), value: Buffer.from('v') });

  it('finds nothing missing when every partition of the batch is acknowledged', () => {
    expect(unacknowledgedByPlatformatic([message('a', 0), message('a', 1), message('a', 0)], [{ topic: 'a', partition: 0 }, { topic: 'a', partition: 1 }])).toEqual([]);
  });

  it('names a partition the answer leaves out, and all of them for no answer', () => {
    expect(unacknowledgedByPlatformatic([message('a', 0), message('b', 0)], [{ topic: 'a', partition: 0 }])).toEqual(['b/0']);
    expect(unacknowledgedByPlatformatic([message('a', 1)], undefined)).toEqual(['a/1']);
  });
});

describe("the @platformatic/kafka publisher's connection", () => {
  it('comes from the settings the kafkajs client is built from: brokers, client id, SCRAM, TLS', () => {
    expect(platformaticConnection({ brokers: ['a:1', 'b:2'], clientId: 'intake' })).toEqual({ bootstrapBrokers: ['a:1', 'b:2'], clientId: 'intake', connectTimeout: 5_000 });
    const secured = platformaticConnection({ brokers: ['a:1'], clientId: 'intake', sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' }, ssl: true });
    expect(secured.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'p' });
    expect(secured.tls).toEqual({});
    expect(platformaticConnection({ brokers: ['a:1'], clientId: 'x', ssl: { ca: ['pem'] } }).tls).toEqual({ ca: ['pem'] });
  });
});

describe("@platformatic/kafka's refusals of a fenced producer", () => {
  it.each(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'])('%s, however deep in retries, is RelayFencedError', (code) => {
    const answer = new ResponseError(26, 1, { '/': [new ProtocolError(code).apiCode as number, null] }, {});
    const retried = new MultipleErrors('endTransaction failed 3 times.', [answer]);
    expect(isFenced(new MultipleErrors('Producing messages failed.', [retried]))).toBe(true);
    expect(fencedOr('tx', retried)).toBeInstanceOf(RelayFencedError);
  });

  it('a retriable answer is not', () => {
    const answer = new ResponseError(26, 1, { '/': [new ProtocolError('CONCURRENT_TRANSACTIONS').apiCode as number, null] }, {});
    expect(isFenced(answer)).toBe(false);
    expect(fencedOr('tx', answer)).toBe(answer);
  });
});
