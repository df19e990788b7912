import { Logger, type LoggerService } from '@nestjs/common';
import { logLevel, type LogEntry } from 'kafkajs';
import { isHandledAnswer, kafkajsLogCreator } from './kafkajs-log';

const answer = (error: string, namespace = 'Connection'): LogEntry => ({
  namespace,
  level: logLevel.ERROR,
  label: 'ERROR',
  log: { timestamp: '2026-12-06T10:00:00.000Z', logger: 'kafkajs', message: 'Response Metadata(key: 3, version: 6)', broker: '127.0.0.1:9092', clientId: 'intake', error, correlationId: 7, size: 120 },
});

describe("kafkajs's log lines", () => {
  it("knows the broker's answers the client handles itself: retried ones, and a topic another service created first", () => {
    expect(isHandledAnswer(answer('This server does not host this topic-partition'))).toBe(true);
    expect(isHandledAnswer(answer('There is no leader for this topic-partition as we are in the middle of a leadership election'))).toBe(true);
    expect(isHandledAnswer(answer('Topic creation errors'))).toBe(true);
    expect(isHandledAnswer(answer('Topic with this name already exists'))).toBe(true);
  });

  it('knows a LeaveGroup answered that the member is already gone (a restart removing the member of a run that ended a session ago), and only a LeaveGroup', () => {
    const leave = answer('The coordinator is not aware of this member');
    expect(isHandledAnswer({ ...leave, log: { ...leave.log, message: 'Response LeaveGroup(key: 13, version: 3)' } })).toBe(true);
    expect(isHandledAnswer({ ...leave, log: { ...leave.log, message: 'Response Heartbeat(key: 12, version: 3)' } })).toBe(false);
    expect(isHandledAnswer(leave)).toBe(false);
  });

  it('keeps every other answer, and lines of other parts of kafkajs, as errors', () => {
    expect(isHandledAnswer(answer('Not authorized to access topics: [Topic authorization failed]'))).toBe(false);
    expect(isHandledAnswer(answer('The request included a message larger than the max message size the server will accept'))).toBe(false);
    expect(isHandledAnswer(answer('This server does not host this topic-partition', 'Producer'))).toBe(false);
    expect(isHandledAnswer({ namespace: 'Connection', log: { timestamp: '', message: 'Connection error: connect ECONNREFUSED', error: 'This server does not host this topic-partition' } })).toBe(false);
  });

  describe('through the application logger', () => {
    const lines: Array<{ level: string; message: unknown; context: unknown }> = [];
    const capture = (level: string) => (message: unknown, ...rest: unknown[]) => lines.push({ level, message, context: rest[rest.length - 1] });
    const service: LoggerService = { log: capture('log'), error: capture('error'), warn: capture('warn'), debug: capture('debug'), verbose: capture('verbose') };

    beforeEach(() => {
      lines.length = 0;
      Logger.overrideLogger(service);
    });
    afterAll(() => Logger.overrideLogger(true));

    it('logs a handled answer at debug, any other error at error, under the context kafkajs with its fields', () => {
      const log = kafkajsLogCreator(logLevel.ERROR);
      log(answer('This server does not host this topic-partition'));
      log(answer('Not authorized to access topics: [Topic authorization failed]'));
      log({ namespace: 'Consumer', level: logLevel.WARN, label: 'WARN', log: { timestamp: '', message: 'The group is rebalancing, re-joining', groupId: 'g' } });
      expect(lines).toEqual([
        { level: 'debug', context: 'kafkajs', message: expect.objectContaining({ msg: '[Connection] Response Metadata(key: 3, version: 6)', error: 'This server does not host this topic-partition', broker: '127.0.0.1:9092' }) },
        { level: 'error', context: 'kafkajs', message: expect.objectContaining({ msg: '[Connection] Response Metadata(key: 3, version: 6)', error: 'Not authorized to access topics: [Topic authorization failed]' }) },
        { level: 'warn', context: 'kafkajs', message: { msg: '[Consumer] The group is rebalancing, re-joining', groupId: 'g' } },
      ]);
    });
  });
});
