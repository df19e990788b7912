import { createTestSchema, createTestTopics, eventually, testKafka, uniqueName } from './index';

describe('the real parts of every test run', () => {
  it('a message produced to a fresh topic on the real broker is consumed back by a consumer group', async () => {
    const [topic] = await createTestTopics(['smoke'], { partitions: 2 });
    const kafka = testKafka('smoke');
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
    const received: Array<{ key: string; value: string }> = [];
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: message.key!.toString(), value: message.value!.toString() });
        },
      });
      await producer.send({
        topic,
        messages: [
          { key: 'inmate-1', value: 'registered' },
          { key: 'inmate-2', value: 'registered' },
        ],
      });
      await eventually(() => (received.length >= 2 ? true : undefined), { message: 'both messages back' });
      expect(received.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { key: 'inmate-1', value: 'registered' },
        { key: 'inmate-2', value: 'registered' },
      ]);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('a row is written to and read from the real PostgreSQL server', async () => {
    const db = await createTestSchema('smoke');
    try {
      await db.pool.query('CREATE TABLE smoke (id text PRIMARY KEY, payload jsonb NOT NULL)');
      await db.pool.query('INSERT INTO smoke VALUES ($1, $2)', ['inmate-1', { nationality: 'AL' }]);
      const { rows } = await db.pool.query('SELECT id, payload, current_schema() AS schema FROM smoke');
      expect(rows).toEqual([{ id: 'inmate-1', payload: { nationality: 'AL' }, schema: db.schema }]);
      const version = await db.pool.query('SHOW server_version_num');
      expect(Number(version.rows[0].server_version_num)).toBeGreaterThanOrEqual(140000);
    } finally {
      await db.drop();
    }
  });
});
