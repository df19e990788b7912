import type { AdmissionRecord, FieldProblem } from '@custody/contracts';

const isText = (value: unknown): boolean => typeof value === 'string' && value.trim().length > 0;

/**
 * European Prison Rules 15.1 (Rule 14): the facts an admission record must hold. Checked in the
 * decider as well as by the contract's validation, so that no path admits a person without them.
 * Returns every missing fact, with its path in the command.
 */
export function missingAdmissionFacts(record: Partial<AdmissionRecord> | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const missing = (path: string, problem: string) => problems.push({ path: `admission.${path}`, problem });
  if (!record) return [{ path: 'admission', problem: 'the admission record of European Prison Rules 15.1 is missing' }];

  const identity = record.identity;
  if (!identity) missing('identity', 'EPR 15.1.a: the identity of the person is required');
  else {
    if (!isText(identity.givenNames)) missing('identity.givenNames', 'EPR 15.1.a: given names are required');
    if (!isText(identity.familyName)) missing('identity.familyName', 'EPR 15.1.a: the family name is required');
    if (!isText(identity.dateOfBirth)) missing('identity.dateOfBirth', 'EPR 15.1.a: the date of birth is required');
    if (!Array.isArray(identity.documents) || identity.documents.length === 0) {
      missing('identity.documents', 'EPR 15.1.a: at least one identity document is required');
    }
  }

  const commitment = record.commitment;
  if (!commitment) missing('commitment', 'EPR 15.1.b: the reason and authority for commitment are required');
  else {
    if (!isText(commitment.reason)) missing('commitment.reason', 'EPR 15.1.b: the reason for commitment is required');
    if (!commitment.authority || !isText(commitment.authority.organisation)) {
      missing('commitment.authority', 'EPR 15.1.b: the authority for commitment is required');
    }
    if (!isText(commitment.warrantReference)) missing('commitment.warrantReference', 'EPR 15.1.b: the warrant reference is required');
  }

  if (!isText(record.admittedAt)) missing('admittedAt', 'EPR 15.1.c: the date and time of admission are required');
  if (!Array.isArray(record.propertyInventory)) {
    missing('propertyInventory', 'EPR 15.1.d: the inventory of personal property is required (an empty list if none)');
  }
  if (typeof record.hasVisibleInjuries !== 'boolean') {
    missing('hasVisibleInjuries', 'EPR 15.1.e: whether the person has visible injuries must be recorded');
  } else if (record.hasVisibleInjuries && (!Array.isArray(record.visibleInjuries) || record.visibleInjuries.length === 0)) {
    missing('visibleInjuries', 'EPR 15.1.e: each visible injury must be described');
  }

  const health = record.health;
  if (!health) missing('health', 'EPR 15.1.f: relevant health information is required');
  else {
    if (!isText(health.summary)) missing('health.summary', 'EPR 15.1.f: a summary of the health information is required');
    if (typeof health.isFitForDetention !== 'boolean') missing('health.isFitForDetention', 'EPR 16: fitness for detention must be recorded');
    if (!health.examinedBy || !isText(health.examinedBy.organisation)) missing('health.examinedBy', 'EPR 16: who examined the person is required');
  }
  return problems;
}
