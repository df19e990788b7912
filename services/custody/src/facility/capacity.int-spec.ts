import request from 'supertest';
import { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { eventually } from '@custody/testing';
import { eligibleProfile, gjilan, id } from '../spec/fixtures';
import { startCustody, testConfig, type RunningCustody } from '../spec/test-app';
import { FacilityCommands, facilityStream } from './facility.commands';

/**
 * Rule 9 under load: capacity is never exceeded, whatever the concurrency and the number of
 * instances. Two instances of the service on one database each receive 250 of 500 simultaneous
 * reservation requests for 300 free places.
 */
describe('capacity on the real database, two instances at once', () => {
  let first: RunningCustody;
  let second: RunningCustody;

  beforeAll(async () => {
    const config = testConfig();
    first = await startCustody(config);
    second = await startCustody({ ...config });
  });

  afterAll(async () => {
    await first?.app.close();
    await second?.app.close();
    const pool = new Pool({ connectionString: first.config.DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${first.config.DATABASE_SCHEMA}" CASCADE`);
    await pool.end();
  });

  it('500 simultaneous reservations for 300 free places: exactly 300 held, 200 refused with CAPACITY_EXHAUSTED, no conflict', async () => {
    const facilityId = id();
    await request(first.url)
      .post('/facilities')
      .send({ commandId: id(), occurredAt: '2026-03-01T08:00:00Z', ...gjilan, facilityId })
      .expect(201);

    const attempts = Array.from({ length: 500 }, (_, n) => ({
      instance: n % 2 === 0 ? first : second,
      body: {
        commandId: id(),
        occurredAt: '2026-03-01T09:00:00Z',
        facilityId,
        reservationId: id(),
        transferId: id(),
        inmateId: id(),
        profile: eligibleProfile,
        expiresAt: '2026-04-01T00:00:00Z',
      },
    }));
    const started = performance.now();
    const answers = await Promise.all(attempts.map(({ instance, body }) => request(instance.url).post(`/facilities/${facilityId}/reservations`).send(body)));
    const seconds = (performance.now() - started) / 1000;

    const outcome = (status: number, code?: string) => (status === 201 ? 'reserved' : `${status} ${code}`);
    const tally: Record<string, number> = {};
    for (const answer of answers) {
      const key = outcome(answer.status, answer.body.code);
      tally[key] = (tally[key] ?? 0) + 1;
    }
    process.stdout.write(`500 reservations on two instances: ${JSON.stringify(tally)} in ${seconds.toFixed(2)} s\n`);
    expect(tally).toEqual({ reserved: 300, '409 CAPACITY_EXHAUSTED': 200 });
    expect(answers.filter((a) => a.body.code === 'CONCURRENCY_CONFLICT')).toHaveLength(0);

    // The stream: 300 PlaceReserved and 200 ReservationRefused, one per attempt.
    const pool = new Pool({ connectionString: first.config.DATABASE_URL, max: 2 });
    const store = new PostgresEventStore({ connection: pool, schema: first.config.DATABASE_SCHEMA });
    const types: Record<string, number> = {};
    const reservationIds = new Set<string>();
    for await (const event of store.readStream(`facility-${facilityId}`)) {
      types[event.type] = (types[event.type] ?? 0) + 1;
      reservationIds.add((event.data as { reservationId?: string }).reservationId ?? 'registration');
    }
    await store.close();
    await pool.end();
    expect(types).toEqual({ FacilityRegistered: 1, PlaceReserved: 300, ReservationRefused: 200 });
    expect(reservationIds.size).toBe(501);
    const accepted = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.events[0].data.reservationId));
    expect(accepted.size).toBe(300);

    // The read model, on either instance, agrees with the stream.
    const occupancy = await eventually(
      async () => {
        const { body } = await request(second.url).get(`/facilities/${facilityId}/occupancy`).expect(200);
        return body.reserved === 300 && body.refusals.CAPACITY_EXHAUSTED === 200 ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, message: 'the occupancy read model to show 300 reservations and 200 refusals' },
    );
    expect(occupancy).toMatchObject({ capacity: 300, occupied: 0, reserved: 300, free: 0, refusals: { CAPACITY_EXHAUSTED: 200 } });
    expect(new Set(occupancy.reservations.map((r: { reservationId: string }) => r.reservationId))).toEqual(accepted);
    expect(occupancy.overTime.at(-1)).toMatchObject({ capacity: 300, reserved: 300, free: 0 });
    expect(Math.max(...occupancy.overTime.map((p: { occupied: number; reserved: number }) => p.occupied + p.reserved))).toBe(300);
  });

  it('what a registration fixed is taken from the facility kept registered, without a read; a facility not kept is read once', async () => {
    const facilityId = id();
    await request(second.url)
      .post('/facilities')
      .send({ commandId: id(), occurredAt: '2026-03-01T08:00:00Z', ...gjilan, facilityId })
      .expect(201);
    const commands = first.app.get(FacilityCommands);
    const store = first.app.get(PostgresEventStore);
    const read = jest.spyOn(store, 'readStream');
    try {
      const stream = facilityStream(facilityId);
      const registered = await commands.registration(stream);
      expect(registered).toMatchObject({ status: 'registered', operatingState: 'XK', jurisdiction: 'leased', lease: { lesseeState: 'DK' } });
      expect(read.mock.calls.filter(([name]) => name === stream)).toHaveLength(1);
      expect(await commands.registration(stream)).toEqual(registered);
      expect(read.mock.calls.filter(([name]) => name === stream)).toHaveLength(1);
      // A facility never registered is read each time: nothing is kept of it.
      const unknown = facilityStream(id());
      expect((await commands.registration(unknown)).status).not.toBe('registered');
      await commands.registration(unknown);
      expect(read.mock.calls.filter(([name]) => name === unknown)).toHaveLength(2);
    } finally {
      read.mockRestore();
    }
  });
});
