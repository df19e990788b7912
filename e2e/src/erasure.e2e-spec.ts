// 6. Crypto-shredding end to end over the four processes: a Belgian case to Albania is run to the
// admission, Albania reports the sentence served (Belgium's enforcement ends: the final release),
// the retention period (none here) has run, and Belgium erases the person's personal data. Intake's
// history then shows the personal fields as null, a refused second identity stays refused; custody,
// on intake's PersonalDataErased, destroys its own key and its record shows the admission's identity
// and health facts as null; the audit ledger keeps the very bytes it hashed (the names in them
// encrypted under keys that no longer exist, in clear nowhere), and `custody-audit verify` says intact.
import { randomUUID } from 'node:crypto';
import { BELGIUM_TO_ALBANIA, facilityRegistration, TransferCase } from './harness/cases';
import { send } from './harness/driver';
import { eventually, getOk, request } from './harness/http';
import { ledgerEventsOf, transferOf } from './harness/reads';
import { Stack } from './harness/stack';

interface CustodyRecord {
  isPersonalDataErased: boolean;
  admission: { identity: Record<string, unknown>; health: Record<string, unknown> } & Record<string, unknown>;
}

interface HistoryEvent {
  type: string;
  isPersonalDataErased: boolean;
  data: { identity?: Record<string, unknown> };
}

describe('erasing a person\'s personal data, end to end over four processes', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Belgium keeps personal data for no time after the final release here, so that the test can erase at once.
    stack = await Stack.start({ label: 'erasure', env: { intake: { RETENTION_PERIODS: '{"BE":"P0D"}', RETENTION_SCAN_INTERVAL_MS: '0' } } });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  }, 120_000);

  it('after the final release, erasure leaves intake\'s history with the fields erased and the audit ledger intact', async () => {
    const facility = facilityRegistration(BELGIUM_TO_ALBANIA, 10);
    await send(stack, facility);
    const c = new TransferCase(BELGIUM_TO_ALBANIA, facility.body.facilityId as string);
    const intake = stack.url('intake');
    const familyName = `Person ${c.passport}`;

    for (const step of c.intake()) await send(stack, step);
    for (const step of c.untilReservation()) await send(stack, step);
    await eventually(async () => ((await transferOf(stack, c.transferId)).stage === 'place-reserved' ? true : undefined), { message: 'the place to be reserved' });
    for (const step of c.handOver()) await send(stack, step);
    await send(stack, c.admission(), { timeoutMs: 120_000 });

    // Albania reports the sentence served: Belgium's enforcement ends (Rules 12, 13), the final release.
    await send(stack, {
      name: 'sentence completed', service: 'custody', path: `/custody/${c.inmateId}/sentence-completed`,
      body: { commandId: randomUUID(), occurredAt: c.at(25), inmateId: c.inmateId, facilityId: c.facilityId, completedOn: c.day(25) },
    });
    const ended = await eventually(async () => {
      const inmate = await getOk<{ enforcement: { status: string }; releasedOn?: string; identity: Record<string, unknown> }>(`${intake}/inmates/${c.inmateId}`);
      return inmate.enforcement.status === 'ended' ? inmate : undefined;
    }, { message: 'intake to end Belgium\'s enforcement on SentenceCompleted' });
    expect(ended).toMatchObject({ releasedOn: c.day(25), identity: { familyName, dateOfBirth: '1988-05-14' } });
    // Custody's record of the admission shows the identity and health facts, decrypted with custody's own key.
    const custodyRecord = `${stack.url('custody')}/custody/${c.inmateId}`;
    expect(await getOk<CustodyRecord>(custodyRecord)).toMatchObject({
      isPersonalDataErased: false, admission: { identity: { familyName, dateOfBirth: '1988-05-14' }, health: { summary: 'No acute condition.' } },
    });

    // The ledger holds the person's intake events, with the personal fields encrypted.
    const before = await eventually(async () => {
      const events = await ledgerEventsOf(stack, c.inmateId);
      return ['EnforcementEnded', 'TransferCompleted', 'InmateAdmitted'].every((type) => events.some((e) => e.type === type)) ? events : undefined;
    }, { message: 'the audit ledger to hold the case and the end of enforcement' });
    const registered = before.find((e) => e.type === 'InmateRegistered')!;
    expect(registered.data.identity).toMatchObject({ familyName: { enc: 'A256GCM' }, documents: { enc: 'A256GCM' } });
    const admitted = before.find((e) => e.type === 'InmateAdmitted')!;
    expect(admitted.data.admission).toMatchObject({ identity: { familyName: { enc: 'A256GCM' }, dateOfBirth: { enc: 'A256GCM' } }, health: { summary: { enc: 'A256GCM' } } });
    expect(JSON.stringify(registered.data)).not.toContain(c.passport);
    expect(JSON.stringify(registered.data)).not.toContain(familyName);

    // Belgium erases the person's personal data.
    const erasure = await request('POST', `${intake}/inmates/${c.inmateId}/personal-data/erasure`, {
      commandId: randomUUID(), occurredAt: new Date(Date.now() - 1000).toISOString(), inmateId: c.inmateId, explanation: 'Retention period ran out.',
    });
    expect(erasure).toMatchObject({ status: 200, body: { eventIds: [expect.any(String)] } });

    // Intake's history: every personal field erased, never an error; the other facts as they were.
    const history = await getOk<{ events: HistoryEvent[] }>(`${intake}/inmates/${c.inmateId}/history`);
    const registration = history.events.find((e) => e.type === 'InmateRegistered')!;
    expect(registration).toMatchObject({
      isPersonalDataErased: true,
      data: { identity: { givenNames: null, familyName: null, dateOfBirth: null, documents: null, sex: 'male' }, nationalities: ['AL'], sendingState: 'BE' },
    });
    // (The fixture's case reference reuses the passport number; the name and the birth date appear nowhere.)
    expect(JSON.stringify(history.events)).not.toContain(familyName);
    expect(JSON.stringify(history.events)).not.toContain('1988-05-14');
    expect(history.events.at(-1)).toMatchObject({ type: 'PersonalDataErased' });
    const record = await getOk<{ isPersonalDataErased: boolean; identity: Record<string, unknown> }>(`${intake}/inmates/${c.inmateId}`);
    expect(record).toMatchObject({ isPersonalDataErased: true, identity: { familyName: null, givenNames: null } });

    // Custody follows intake's erasure: its key destroyed, its record shows the personal fields erased.
    const custodyErased = await eventually(async () => {
      const custody = await getOk<CustodyRecord>(custodyRecord);
      return custody.isPersonalDataErased ? custody : undefined;
    }, { message: 'custody to erase the admission record\'s personal fields on PersonalDataErased' });
    expect(custodyErased.admission).toMatchObject({
      identity: { givenNames: null, familyName: null, dateOfBirth: null, documents: null, sex: 'male' },
      hasVisibleInjuries: null, health: { summary: null, isFitForDetention: null },
    });
    expect(JSON.stringify(custodyErased)).not.toContain(familyName);
    expect(JSON.stringify(custodyErased)).not.toContain('1988-05-14');

    // The ledger records both erasures and keeps every entry it had, byte for byte.
    const after = await eventually(async () => {
      const events = await ledgerEventsOf(stack, c.inmateId);
      return events.some((e) => e.type === 'PersonalDataErased') && events.some((e) => e.type === 'CustodyPersonalDataErased') ? events : undefined;
    }, { message: 'the audit ledger to record PersonalDataErased and CustodyPersonalDataErased' });
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.find((e) => e.type === 'PersonalDataErased')!.data).toMatchObject({ inmateId: c.inmateId, ground: 'retention-expired', releasedOn: c.day(25) });

    expect(after.find((e) => e.type === 'CustodyPersonalDataErased')!.data).toMatchObject({ inmateId: c.inmateId, facilityId: c.facilityId, sendingState: 'BE' });
    // Nowhere in the ledger's raw entries, of any person, is the name or the birth date in clear.
    const { rows: raw } = await stack.pool.query<{ body: string }>(`SELECT body FROM "${stack.schemas.audit}".ledger`);
    expect(raw.length).toBeGreaterThanOrEqual(after.length);
    const everything = raw.map((row) => row.body).join('\n');
    expect(everything).not.toContain(familyName);
    expect(everything).not.toContain('1988-05-14');

    // custody-audit verify, as the auditor runs it: intact (exit 0).
    await getOk(`${stack.url('audit')}/ledger/head`);
    const verify = await stack.auditCli(['verify', '--quiet']);
    expect({ code: verify.code, stdout: verify.stdout }).toMatchObject({ code: 0, stdout: expect.stringContaining('INTACT') });
  });
});
