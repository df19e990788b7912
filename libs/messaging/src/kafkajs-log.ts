import { Logger } from '@nestjs/common';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import { errorCodes } from 'kafkajs/src/protocol/error';

/**
 * The broker's answers that kafkajs's connection logs at ERROR although they are the protocol at
 * work, answered by the client itself: every answer kafkajs retries (a topic just created and not
 * yet known to a broker, "This server does not host this topic-partition"; a leader being elected;
 * a group coordinator loading), and "Topic with this name already exists" (two services creating
 * the topics they share at the same start: ensureTopics takes it as done). kafkajs logs each answer
 * once per request, before its caller has decided anything; the caller reports the outcome (a send
 * that failed after its retries, a consumer that crashed, a topic that could not be created stops
 * the service). On a clean start these lines are noise that hides real errors: they are logged at
 * debug. Every other answer, and every line not about one answer, keeps its level.
 */
const HANDLED_ANSWERS = new Set([
  ...errorCodes.filter((e) => e.retriable).map((e) => e.message),
  ...errorCodes.filter((e) => e.type === 'TOPIC_ALREADY_EXISTS').map((e) => e.message),
  // CreateTopics answers this when any topic of the request failed; ensureTopics accepts
  // "already exists" and throws anything else (the service does not start, naming the error).
  'Topic creation errors',
]);

/**
 * A LeaveGroup answered "not aware of this member": the member is already out of the group (its
 * session ended). A restarted instance removing its previous run's member gets it whenever that run
 * ended more than a session ago, and takes it as done (removeGroupMember, kafka.ts;
 * docs/adr/0017-restart-replaces-previous-member.md).
 */
const MEMBER_ALREADY_GONE = errorCodes.find((e) => e.type === 'UNKNOWN_MEMBER_ID')!.message;

/** Whether a kafkajs log entry is a connection's report of a broker answer the client handles itself. */
export function isHandledAnswer(entry: Pick<LogEntry, 'namespace' | 'log'>): boolean {
  if (entry.namespace !== 'Connection' || !entry.log.message.startsWith('Response ')) return false;
  const error = String(entry.log.error);
  return HANDLED_ANSWERS.has(error) || (entry.log.message.startsWith('Response LeaveGroup(') && error === MEMBER_ALREADY_GONE);
}

/**
 * kafkajs's lines through the application's logger (pino in the services, with the service's name
 * and LOG_LEVEL), under the context `kafkajs`, instead of kafkajs's own console lines.
 */
export const kafkajsLogCreator: logCreator = () => {
  const logger = new Logger('kafkajs');
  return (entry) => {
    const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry.log;
    const line = { msg: `[${entry.namespace}] ${message}`, ...fields };
    if (entry.level === logLevel.ERROR && isHandledAnswer(entry)) return logger.debug(line);
    switch (entry.level) {
      case logLevel.ERROR:
        return logger.error(line);
      case logLevel.WARN:
        return logger.warn(line);
      case logLevel.INFO:
        return logger.log(line);
      default:
        return logger.debug(line);
    }
  };
};
