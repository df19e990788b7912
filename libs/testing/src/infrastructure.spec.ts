import { createServer } from 'node:net';
import { canConnect, MissingInfrastructureError } from './infrastructure';
import { uniqueName, uniqueSchemaName } from './names';

describe('finding the real services', () => {
  it('canConnect is true for a listening port and false for a closed one', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    expect(await canConnect(`127.0.0.1:${port}`)).toBe(true);
    await new Promise((resolve) => server.close(resolve));
    expect(await canConnect(`127.0.0.1:${port}`)).toBe(false);
  });

  it('a missing service says how to get it', () => {
    const error = new MissingInfrastructureError('No Kafka broker', 'Run `npm run infra:up`.');
    expect(error.message).toBe('No Kafka broker is not reachable. Run `npm run infra:up`.');
  });

  it('names are unique per call and valid PostgreSQL identifiers', () => {
    expect(uniqueName('topic')).not.toEqual(uniqueName('topic'));
    const schema = uniqueSchemaName('Event Store!');
    expect(schema).toMatch(/^t_[a-z0-9_]+$/);
    expect(Buffer.byteLength(schema)).toBeLessThanOrEqual(63);
  });
});
