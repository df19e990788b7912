import type { MessageType } from '../catalogue/catalogue';
import { AUDIT_EXAMPLES, AUDIT_LEGACY_EXAMPLES } from './audit';
import { CUSTODY_COMMAND_EXAMPLES, CUSTODY_EVENT_EXAMPLES, CUSTODY_LEGACY_EXAMPLES, FACILITY_COMMAND_EXAMPLES, FACILITY_EVENT_EXAMPLES } from './custody';
import { INTAKE_COMMAND_EXAMPLES, INTAKE_EVENT_EXAMPLES, INTAKE_LEGACY_EXAMPLES } from './intake';
import { TRANSFER_COMMAND_EXAMPLES, TRANSFER_EVENT_EXAMPLES, TRANSFER_LEGACY_EXAMPLES } from './transfer';

/**
 * One valid example payload of every message type at its current version, typed against the
 * catalogue (the compiler rejects a missing type or a wrong field). They appear in the AsyncAPI
 * document and serve as test fixtures for the services.
 */
export const EXAMPLES: { readonly [K in MessageType]: object } = {
  ...INTAKE_COMMAND_EXAMPLES, ...TRANSFER_COMMAND_EXAMPLES, ...FACILITY_COMMAND_EXAMPLES, ...CUSTODY_COMMAND_EXAMPLES,
  ...INTAKE_EVENT_EXAMPLES, ...TRANSFER_EVENT_EXAMPLES, ...FACILITY_EVENT_EXAMPLES, ...CUSTODY_EVENT_EXAMPLES,
  ...AUDIT_EXAMPLES,
};

/** Examples of older schema versions still readable: type → version → payload. */
export const LEGACY_EXAMPLES: Readonly<Record<string, Readonly<Record<number, object>>>> = { ...INTAKE_LEGACY_EXAMPLES, ...TRANSFER_LEGACY_EXAMPLES, ...CUSTODY_LEGACY_EXAMPLES, ...AUDIT_LEGACY_EXAMPLES };
