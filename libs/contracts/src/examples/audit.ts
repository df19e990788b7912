import type { EventPayload } from '../catalogue/catalogue';
import { IDS } from './fixtures';

type AuditType = 'FindingRaised' | 'FindingResolved' | 'LedgerCheckpointSigned' | 'CommandAccepted' | 'CommandRejected';

/** One example of every audit and command-result message. */
export const AUDIT_EXAMPLES: { [K in AuditType]: EventPayload<K> } = {
  FindingRaised: {
    findingId: IDS.finding,
    invariant: 'two-sided-hand-over',
    inmateId: IDS.inmate,
    description: 'Custody received in Albania without a recorded dispatch from Belgium.',
    evidenceEventIds: [IDS.event],
  },
  FindingResolved: {
    findingId: IDS.finding,
    invariant: 'two-sided-hand-over',
    inmateId: IDS.inmate,
    resolution: 'The dispatch arrived late; both sides of the hand-over are now recorded.',
    evidenceEventIds: [IDS.event],
  },
  LedgerCheckpointSigned: {
    checkpointId: IDS.checkpoint,
    entryCount: 1048576,
    headHash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    merkleRoot: '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752',
    algorithm: 'Ed25519',
    keyId: 'audit-2026-01',
    signature: 'q2Xb0h3m1V0bQ5cYk3n2b9l8Yx7tqf1c2Qb3t4u5v6w7x8y9z0A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6Q7R8Sw==',
  },
  CommandAccepted: { commandId: IDS.command, commandType: 'RegisterInmate', eventIds: [IDS.event], streamRevision: 0 },
  CommandRejected: {
    commandId: IDS.command,
    commandType: 'RegisterInmate',
    code: 'INMATE_ALREADY_REGISTERED',
    message: 'A person with the same identity document is already registered; use the existing inmate id given in the details.',
    errors: [],
    details: { existingInmateId: IDS.inmate },
  },
};

/** FindingRaised of schema version 1 (about a person or a facility only), still on the topic. */
export const AUDIT_LEGACY_EXAMPLES: Readonly<Record<string, Readonly<Record<number, object>>>> = {
  FindingRaised: { 1: AUDIT_EXAMPLES.FindingRaised },
};
