import { findMessage } from '../catalogue/catalogue';
import { ContractViolation } from '../rejections/errors';
import { unknownVersion, type Validated, validateEvent } from '../validation/validate';
import { type Upcaster, UPCASTERS } from './upcasters';

const chain = new Map<string, Upcaster>(UPCASTERS.map((u) => [`${u.type}@${u.fromVersion}`, u]));

/** The upcaster that lifts `type` from `version`, if any. */
export function findUpcaster(type: string, version: number): Upcaster | undefined {
  return chain.get(`${type}@${version}`);
}

/** An event read at its current version, and the version it was written in. */
export interface ReadEvent {
  type: string;
  schemaVersion: number;
  writtenVersion: number;
  data: object;
}

/**
 * Validates an event's `data` at the version it was written in, lifts it through the upcasters to
 * the current version, and validates the result. Consumers and event-store readers call this so
 * deciders see only current versions.
 */
export function readEvent(type: string, version: number, data: unknown): Validated<ReadEvent> {
  const written = validateEvent(type, version, data);
  if (!written.ok) return written;
  const current = findMessage(type)!.version;
  let payload: unknown = data;
  for (let v = version; v < current; v++) {
    const upcaster = findUpcaster(type, v);
    if (!upcaster) return { ok: false, error: unknownVersion(type, version, current) };
    payload = upcaster.upcast(payload);
  }
  if (version === current) {
    return { ok: true, value: { type, schemaVersion: current, writtenVersion: version, data: written.value } };
  }
  const lifted = validateEvent(type, current, payload);
  if (!lifted.ok) {
    // An upcaster produced an invalid payload: a defect of the contract, reported with the fields.
    return { ok: false, error: new ContractViolation('VALIDATION_FAILED', lifted.error.errors, { type, schemaVersion: version }) };
  }
  return { ok: true, value: { type, schemaVersion: current, writtenVersion: version, data: lifted.value } };
}
