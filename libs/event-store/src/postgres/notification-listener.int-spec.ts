import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { databaseUrl, eventually } from '@custody/testing';
import { Notifier } from './notification-listener';

// The after-commit NOTIFY of the store (docs/adr/0007-store-owned-global-order.md): announced at
// once when alone, shared by the commits of a burst, delayed but never dropped.
describe('Notifier', () => {
  let pool: Pool;
  let listener: Client;
  let channel: string;
  let received: number;

  beforeEach(async () => {
    pool = new Pool({ connectionString: databaseUrl(), max: 2 });
    channel = `notifier_${randomBytes(6).toString('hex')}`;
    received = 0;
    listener = new Client({ connectionString: databaseUrl() });
    await listener.connect();
    listener.on('notification', (message) => {
      if (message.channel === channel) received++;
    });
    await listener.query(`LISTEN "${channel}"`);
  });

  afterEach(async () => {
    await listener.end();
    await pool.end();
  });

  it('announces a lone commit, and a burst of commits with at most one NOTIFY more', async () => {
    const notifier = new Notifier(pool, channel, 100);
    try {
      notifier.notify();
      await eventually(() => (received === 1 ? true : undefined), { timeoutMs: 5000, message: 'the first NOTIFY' });
      for (let i = 0; i < 200; i++) notifier.notify();
      await eventually(() => (received >= 2 ? true : undefined), { timeoutMs: 5000, message: 'the NOTIFY of the burst' });
      // Whatever is still on its way or waiting for the interval has arrived after a few intervals.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received).toBeGreaterThanOrEqual(2);
      expect(received).toBeLessThanOrEqual(3);
    } finally {
      await notifier.close();
    }
  });

  it('sends a notify asked for within the interval after it, not never', async () => {
    const notifier = new Notifier(pool, channel, 300);
    try {
      notifier.notify();
      await eventually(() => (received === 1 ? true : undefined), { timeoutMs: 5000, message: 'the first NOTIFY' });
      notifier.notify();
      await eventually(() => (received === 2 ? true : undefined), { timeoutMs: 5000, message: 'the NOTIFY held back by the interval' });
    } finally {
      await notifier.close();
    }
  });

  it('closes with a notify waiting for its interval, and sends nothing afterwards', async () => {
    const notifier = new Notifier(pool, channel, 300);
    notifier.notify();
    await eventually(() => (received === 1 ? true : undefined), { timeoutMs: 5000, message: 'the first NOTIFY' });
    notifier.notify();
    await notifier.close();
    notifier.notify();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(received).toBe(1);
  });
});
