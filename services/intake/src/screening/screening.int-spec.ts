import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { commandBodies, identity } from '../inmate/inmate.examples';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';

describe('screening an inmate with the legal rules', () => {
  let intake: IntakeTestApp;
  const http = () => request(intake.app.getHttpServer());

  beforeAll(async () => {
    intake = await startIntake('intake-screening', { PROJECTION_ENABLED: 'false' });
  });

  afterAll(async () => {
    await intake.close();
  });

  it('applies ETS 112 to an Albanian national held in Belgium: each rule met, not met or needing a decision, with the reason', async () => {
    const inmateId = randomUUID();
    await http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`SC-${inmateId.slice(0, 6)}`) })).expect(201);
    expect((await http().get(`/inmates/${inmateId}/screening?receivingState=AL&basis=ETS112`).expect(422)).body.code).toBe('SENTENCE_NOT_RECORDED');
    await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, randomUUID()).RecordSentence()).expect(200);

    const screening = (await http().get(`/inmates/${inmateId}/screening?receivingState=AL&basis=ETS112&asOf=2026-03-02`).expect(200)).body;
    const byRule = Object.fromEntries(screening.verdicts.map((v: { rule: string; outcome: string }) => [v.rule, v.outcome]));
    expect(byRule).toMatchObject({ LEGAL_BASIS: 'met', FINAL_JUDGMENT: 'met', TIME_LEFT: 'met', NATIONALITY: 'met', OPINION: 'needs-decision' });
    expect(screening).toMatchObject({ inmateId, basis: 'ETS112', sendingState: 'BE', receivingState: 'AL', asOf: '2026-03-02', isEligible: expect.any(Boolean), needsDecision: true });
    for (const verdict of screening.verdicts) expect(verdict.reason).toEqual(expect.any(String));

    const wrongState = (await http().get(`/inmates/${inmateId}/screening?receivingState=MA&basis=ETS112&asOf=2026-03-02`).expect(200)).body;
    expect(wrongState.verdicts.find((v: { rule: string }) => v.rule === 'NATIONALITY')?.outcome).toBe('not-met');
    expect(wrongState.isEligible).toBe(false);
  });

  it('refuses a missing receiving state or a malformed basis', async () => {
    const response = await http().get(`/inmates/${randomUUID()}/screening?basis=ets-112`).expect(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['basis', 'receivingState']);
  });
});
