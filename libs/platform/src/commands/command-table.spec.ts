import 'reflect-metadata';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { HttpException, RequestMethod } from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { ContractViolation, RecordConsent, RequestTransfer, TOPICS } from '@custody/contracts';
import { REQUIRES } from '@custody/security';
import { checkPath, commandControllers, commandTableProblems, pathParameters, type CommandPort, type CommandTable } from './command-table';

const ID = '0b8f3c1e-6a2d-4f7b-9c1e-2d3f4a5b6c7d';

function problemsOf(run: () => void) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ContractViolation);
    return (error as ContractViolation).errors;
  }
  throw new Error('no violation');
}

describe('command table', () => {
  it('reads the parameters of a path in order', () => {
    expect(pathParameters('')).toEqual([]);
    expect(pathParameters(':inmateId/absences/:absenceId/end')).toEqual(['inmateId', 'absenceId']);
  });

  it('accepts a path whose ids are UUIDs naming what the body names, without regard to case', () => {
    expect(() => checkPath(['transferId'], [ID.toUpperCase()], { transferId: ID })).not.toThrow();
  });

  it('refuses a path id that is not a UUID, or that the body does not name, listing each field', () => {
    expect(problemsOf(() => checkPath(['transferId'], ['abc'], { transferId: ID }))).toEqual([{ path: 'transferId', problem: 'transferId in the path must be a UUID' }]);
    const other = '1b8f3c1e-6a2d-4f7b-9c1e-2d3f4a5b6c7d';
    expect(problemsOf(() => checkPath(['inmateId', 'absenceId'], [ID, ID], { inmateId: other }))).toEqual([
      { path: 'inmateId', problem: `inmateId must be ${ID}, the inmateId of the path` },
      { path: 'absenceId', problem: `absenceId must be ${ID}, the absenceId of the path` },
    ]);
  });

  describe('the classes it makes', () => {
    const calls: unknown[][] = [];
    class Port implements CommandPort<'RequestTransfer' | 'RecordConsent'> {
      async http(...args: unknown[]) { calls.push(['http', ...args]); return { ok: true }; }
      async kafka(...args: unknown[]) { calls.push(['kafka', ...args]); }
    }
    const table: CommandTable<'RequestTransfer' | 'RecordConsent'> = {
      name: 'Example', prefix: 'transfers', tag: 'transfers',
      rows: [
        { type: 'RequestTransfer', body: RequestTransfer, http: { path: '', permission: 'transfer:request', summary: 'Requests.' } },
        { type: 'RecordConsent', body: RecordConsent, http: { path: ':transferId/consent', permission: 'transfer:request', summary: 'Consents.' }, kafka: false },
      ],
    };
    const { http, kafka } = commandControllers(table, Port);

    it('declares one route per row with its path, status, permission and body class', () => {
      expect(http.name).toBe('ExampleCommands');
      expect(Reflect.getMetadata(PATH_METADATA, http)).toBe('transfers');
      const request = http.prototype.requestTransfer;
      const consent = http.prototype.recordConsent;
      expect(Reflect.getMetadata(PATH_METADATA, request)).toBe('/');
      expect(Reflect.getMetadata(METHOD_METADATA, request)).toBe(RequestMethod.POST);
      expect(Reflect.getMetadata(HTTP_CODE_METADATA, request)).toBe(201);
      expect(Reflect.getMetadata(PATH_METADATA, consent)).toBe(':transferId/consent');
      expect(Reflect.getMetadata(HTTP_CODE_METADATA, consent)).toBe(200);
      expect(Reflect.getMetadata(REQUIRES, consent)).toEqual({ action: 'transfer:request', resolver: undefined });
      expect(Reflect.getMetadata('design:paramtypes', http.prototype, 'recordConsent')).toEqual([String, RecordConsent, Object, Object, Object]);
      expect(Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, http, 'recordConsent'))).toHaveLength(5);
    });

    it('declares one Kafka handler per row taken from the topic, and none for a row that is not', () => {
      expect(kafka.name).toBe('ExampleCommandHandlers');
      expect(Reflect.getMetadata(PATTERN_METADATA, kafka.prototype.requestTransfer)).toEqual(['RequestTransfer']);
      expect(kafka.prototype.recordConsent).toBeUndefined();
    });

    it('checks the path before the port runs the command, and passes the body, the caller and the answer to record on', async () => {
      const recorder = { commandId: ID };
      const asked: unknown[] = [];
      // The stored answers have tests of their own on PostgreSQL (the services' idempotency tests): here, the route's wiring.
      const answers = {
        answer: async (command: { status: number }, execute: (answer: unknown) => Promise<unknown>) => {
          asked.push(command);
          return { status: command.status, body: await execute(recorder), replayed: true };
        },
      };
      const headers: Array<[string, string]> = [];
      const response = { setHeader: (name: string, value: string) => headers.push([name, value]) };
      const routes = new http(new Port(), answers) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const request = { raw: { transferId: ID, sent: 'as is' }, idempotencyKey: ID };
      await expect(routes.recordConsent(ID, { transferId: 'other' }, {}, request, response)).rejects.toBeInstanceOf(ContractViolation);
      expect(calls).toEqual([]);
      const caller = { correlationId: 'c' };
      await expect(routes.recordConsent(ID, { transferId: ID }, caller, request, response)).resolves.toEqual({ ok: true });
      expect(calls).toEqual([['http', 'RecordConsent', { transferId: ID }, caller, recorder]]);
      expect(asked).toEqual([{ type: 'RecordConsent', status: 200, raw: request.raw, idempotencyKey: ID, caller }]);
      expect(headers).toEqual([['Idempotent-Replayed', 'true']]);
    });

    it('answers a stored rejection given again with its own status and body', async () => {
      const problem = { code: 'CONSENT_REFUSED', message: 'Refused.', errors: [], details: {} };
      const answers = { answer: async () => ({ status: 422, body: problem, replayed: true }) };
      const routes = new http(new Port(), answers) as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const response = { setHeader: () => undefined };
      const error = await routes.recordConsent(ID, { transferId: ID }, {}, { raw: {} }, response).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpException);
      expect([(error as HttpException).getStatus(), (error as HttpException).getResponse()]).toEqual([422, problem]);
    });
  });

  it('finds a command of the topic missing from the tables, one declared twice, and one with the wrong body', () => {
    const problems = commandTableProblems(TOPICS.transferCommands, [{
      name: 'Broken', prefix: 'x', tag: 'x',
      rows: [
        { type: 'RequestTransfer', body: RequestTransfer },
        { type: 'RequestTransfer', body: RequestTransfer },
        { type: 'RecordConsent', body: RequestTransfer },
        { type: 'RegisterInmate', body: RequestTransfer },
      ],
    }]);
    expect(problems).toEqual(expect.arrayContaining([
      'RequestTransfer is declared 2 times (Broken, Broken)',
      'RecordConsent in Broken takes RequestTransfer, not the contract\'s RecordConsent',
      'EvaluateEligibility (a command of custody.transfer.commands) is in no table',
      'RegisterInmate in Broken is not a command of custody.transfer.commands',
    ]));
  });
});
