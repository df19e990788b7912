import { eventually } from '@custody/testing';
import { belgiumToAlbania } from '../testing/history';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { AuditLedger } from './audit-ledger';

/**
 * The chainer is woken by the service's own consumer once a transaction of it has recorded
 * entries, instead of waiting for its next poll: with a poll a minute apart (the longest the configuration allows), the events are
 * chained as soon as they are consumed.
 */
describe('audit: the chainer woken by the consumer (real broker and database)', () => {
  let audit: TestAudit;

  beforeAll(async () => {
    audit = await startTestAudit('chainer_wake', { LEDGER_CHAIN_INTERVAL_MS: 60_000 });
  });
  afterAll(async () => {
    await audit?.close();
  });

  it('chains what the consumer recorded without waiting for the poll', async () => {
    const ledger = audit.app.get(AuditLedger);
    const person = belgiumToAlbania();
    await audit.publish(person.events);
    await eventually(async () => ((await ledger.repository.head()).size === person.events.length ? true : undefined), {
      timeoutMs: 30_000,
      message: `${person.events.length} chained entries, long before the next poll`,
    });
    expect(await ledger.repository.pendingCount()).toBe(0);
    expect(await ledger.verify()).toMatchObject({ isIntact: true, checked: person.events.length });
  });
});
