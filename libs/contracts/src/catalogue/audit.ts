import { LedgerCheckpointSignedPayload } from '../audit/checkpoints';
import { FindingRaisedPayload, FindingResolvedPayload } from '../audit/findings';
import { FindingRaisedV1Payload } from '../audit/legacy';
import { CommandAcceptedPayload, CommandRejectedPayload } from '../results/command-results';
import { TOPICS } from '../topics/topics';
import { group, message } from './define';

/** Audit findings: `custody.audit.findings`. */
export const AUDIT_FINDINGS = group(TOPICS.auditFindings, 'event', '/custody/audit', {
  FindingRaised: message(FindingRaisedPayload, 'inmate-facility-or-topic', 'An invariant was violated; the evidence events are named. About a person, a facility, or (version 2) a message refused off a topic that names neither.', {
    version: 2,
    legacy: { 1: FindingRaisedV1Payload },
  }),
  FindingResolved: message(FindingResolvedPayload, 'inmate-or-facility', 'A finding was resolved, typically by late evidence.'),
});

/** Signed ledger checkpoints: `custody.audit.checkpoints`. */
export const AUDIT_CHECKPOINTS = group(TOPICS.auditCheckpoints, 'event', '/custody/audit', {
  LedgerCheckpointSigned: message(LedgerCheckpointSignedPayload, 'ledger', 'A signed checkpoint of the audit ledger\'s head.'),
});

/** Command results: `custody.command-results`, keyed by the command's correlation id. */
export const COMMAND_RESULTS = group(TOPICS.commandResults, 'event', '/custody', {
  CommandAccepted: message(CommandAcceptedPayload, 'command', 'The command was accepted; the events it produced are named.'),
  CommandRejected: message(CommandRejectedPayload, 'command', 'The command was rejected with a code and per-field errors.'),
});
