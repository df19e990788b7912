import type { Finding } from '../findings/findings.repository';
import type { MissingEvent } from '../invariants/completeness.checks';
import type { HistoryReport } from '../ledger/audit-ledger';
import type { StateDigest } from '../findings/state-digest';
import type { VerifyReport } from '../ledger/verify';
import type { ExportVerification } from '../ledger/offline';
import type { SignatureReport } from '../ledger/event-signatures';
import type { Custodian, Place, Timeline } from '../timeline/timeline';
import { renderTable } from './table';

const who = (c: Custodian) => `${c.state} ${c.organisation}${c.officer ? ` (${c.officer})` : ''}`;

function where(place: Place): string {
  switch (place.kind) {
    case 'facility':
      return `facility ${place.name ?? place.facilityId ?? '?'}`;
    case 'in-transit':
      return `in transit, escort ${place.escort.state} ${place.escort.organisation} (${place.escort.leadOfficer})`;
    case 'absence':
      return `${place.absenceKind} absence: ${place.destination}`;
    case 'at-large':
      return `${place.reason} from facility ${place.facilityId}`;
  }
}

/** A timeline as a table for people. */
export function timelineTable(timeline: Timeline): string {
  const window = [timeline.asOf && `as of ${timeline.asOf}`, timeline.knownAt && `as known at ${timeline.knownAt}`].filter(Boolean).join(', ');
  const title = `Custody of ${timeline.inmateId}${window ? ` (${window})` : ''}: ${timeline.intervals.length} intervals from ${timeline.eventIds.length} events\n\n`;
  const rows = timeline.intervals.map((i) => [i.from, i.to ?? '(now)', who(i.custodian), where(i.place), `${i.governingState}${i.legalBasis ? ` ${i.legalBasis}` : ''}`, i.evidenceEventIds.join(' ')]);
  const ended = timeline.endedAt ? `\nCustody ended at ${timeline.endedAt} (event ${timeline.endedBy}).\n` : '';
  return title + renderTable(['FROM', 'TO', 'CUSTODIAN', 'PLACE', 'LAW', 'EVIDENCE'], rows) + ended;
}

/** A verification report for people. */
export function verifyText(report: VerifyReport & { invalidCheckpoints?: string[] }): string {
  const lines = [
    `Checked ${report.checked} entries from position ${report.fromPosition} (ledger size ${report.size}).`,
    report.merkleRoot ? `Merkle root ${report.merkleRoot}; ${report.checkpointsMatched} signed checkpoint(s) matched.` : 'Merkle root not recomputed (verification did not start at position 0).',
  ];
  if (report.invalidCheckpoints?.length) lines.push(`Checkpoints with a signature that does not verify: ${report.invalidCheckpoints.join(', ')}`);
  lines.push(
    report.break
      ? `BROKEN at position ${report.break.position}${report.break.eventId ? ` (event ${report.break.eventId})` : ''}: ${report.break.kind}: ${report.break.message}`
      : 'INTACT: every entry gives its hash and links to the one before it.',
  );
  lines.push(signaturesText(report.signatures));
  return lines.join('\n') + '\n';
}

/** Entries without a signature listed in the table up to this many. */
const MISSING_LISTED = 20;

/**
 * The publishers' signatures of the entries checked, for people: counts by signer, then every
 * entry whose signature does not hold and the first entries that hold none, by position.
 */
export function signaturesText(signatures: SignatureReport | undefined, keysFromExport: readonly string[] = []): string {
  if (!signatures) return 'Event signatures not checked: no publisher key given (EVENT_PUBLISHER_KEYS, --publisher-keys).';
  const signers = Object.entries(signatures.bySigner).sort(([a], [b]) => a.localeCompare(b)).map(([service, count]) => `${service} ${count}`).join(', ');
  const unsigned = signatures.missing > 0 ? `; ${plural(signatures.missing, 'entry holds', 'entries hold')} no signature (recorded before the ledger kept signatures, or unsigned with EVENT_SIGNATURES=off)` : '';
  const fromExport = keysFromExport.length > 0 ? `\nKeys taken from the export, not given by you: ${keysFromExport.join(', ')} (compare them with the keys the services published).` : '';
  const head = signatures.invalid > 0
    ? `SIGNATURES INVALID: ${plural(signatures.invalid, 'entry holds an event signature', 'entries hold event signatures')} that do not hold; ${signatures.valid} of ${signatures.checked} hold${signers ? ` (${signers})` : ''}${unsigned}.`
    : `SIGNED: ${signatures.valid} of ${plural(signatures.checked, 'entry', 'entries')} hold their publisher's signature${signers ? ` (${signers})` : ''}${unsigned}.`;
  // Every invalid entry; the unsigned ones when few (a ledger older than signatures has many: --format json lists them).
  const firstMissing = signatures.entries.find((e) => e.status === 'missing');
  const listed = signatures.entries.filter((e) => e.status === 'invalid' || signatures.missing <= MISSING_LISTED);
  const rows = listed.map((e) => [String(e.position), e.eventId, e.status === 'invalid' ? 'INVALID' : 'missing', e.reason ?? '']);
  const more = signatures.missing > MISSING_LISTED && firstMissing ? `\nThe first entry without a signature is at position ${firstMissing.position}; --format json lists them.` : '';
  return head + fromExport + more + (rows.length > 0 ? '\n\n' + renderTable(['POSITION', 'EVENT', 'SIGNATURE', 'REASON'], rows).trimEnd() : '');
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** A missing revision, in words. */
const missingText = (gap: MissingEvent) => `revision ${gap.revision} of ${gap.stream} (${gap.source}), named by revision ${gap.followedBy.revision} (event ${gap.followedBy.eventId})`;

/** Whether the histories are complete, for people: counts, the facilities that miss events, and the people asked for. */
export function historyText(history: HistoryReport): string {
  const unrevisioned = history.unrevisioned > 0 ? `; ${plural(history.unrevisioned, 'entry carries', 'entries carry')} no revision (published before revisions were: unknown, not missing)` : '';
  const lines = [
    history.isComplete
      ? `COMPLETE: no revision missing from the ${plural(history.streams, 'stream', 'streams')} of ${plural(history.people, 'person', 'people')} and ${plural(history.facilities, 'facility', 'facilities')}${unrevisioned}.`
      : `INCOMPLETE: ${plural(history.missingRevisions, 'revision', 'revisions')} missing: the histories of ${history.incompletePeople} of ${plural(history.people, 'person', 'people')} and ` +
        `${history.incompleteFacilities.length} of ${plural(history.facilities, 'facility', 'facilities')} miss events${unrevisioned}. ` +
        (history.persons ? '' : 'Name the people with --people or --inmate <id> (and --purpose), or see their EVENT_MISSING findings (custody-audit findings).'),
  ];
  for (const facility of history.incompleteFacilities) {
    lines.push(`  ${facility.subject}: ${facility.missing.map(missingText).join('; ')}`);
  }
  let text = lines.join('\n') + '\n';
  if (history.persons) {
    const rows = history.persons.map((p) => [
      p.subject.slice('inmate/'.length),
      String(p.entries),
      String(p.streams),
      p.entries === 0 ? 'not in the ledger' : p.isComplete ? 'complete' : 'INCOMPLETE',
      p.missing.map(missingText).join('; '),
    ]);
    text += '\n' + renderTable(['PERSON', 'ENTRIES', 'STREAMS', 'HISTORY', 'MISSING'], rows);
  }
  return text;
}

/** An offline verification of an export for people. */
export function exportVerificationText(result: ExportVerification): string {
  if (result.isIntact) {
    const history = result.history;
    const complete = !history
      ? ''
      : history.isComplete
        ? `COMPLETE: no revision missing from the person's ${plural(history.streams, 'stream', 'streams')} in the export.\n`
        : `INCOMPLETE: the person's history misses ${history.missing.map(missingText).join('; ')}.\n`;
    return `INTACT: ${result.entries} entries of ${result.inmateId} verified against checkpoint ${result.checkpointId} (hashes, inclusion proofs, the person's chain, the signature).\n` + complete +
      signaturesText(result.signatures, result.signatures?.keysFromExport) + '\n';
  }
  return `BROKEN: ${result.problems.length} problem(s) in the export of ${result.inmateId ?? '?'}\n` +
    renderTable(['LINE', 'POSITION', 'EVENT', 'PROBLEM'], result.problems.map((p) => [String(p.line), p.position === undefined ? '' : String(p.position), p.eventId ?? '', p.problem]));
}

/** Findings as a table for people. */
export function findingsTable(findings: Finding[]): string {
  const whose = (f: Finding) => f.inmateId ?? f.facilityId ?? (f.refusedMessage ? `${f.refusedMessage.topic} ${f.refusedMessage.partition}:${f.refusedMessage.offset}` : '');
  const rows = findings.map((f) => [f.raisedAt, f.status, f.invariant, whose(f), f.description, f.resolvedAt ?? '']);
  return `${findings.length} finding(s)\n\n` + renderTable(['RAISED', 'STATUS', 'INVARIANT', 'INMATE, FACILITY OR TOPIC', 'DESCRIPTION', 'RESOLVED'], rows);
}

/** A state digest for people. */
export function digestText(digest: StateDigest, isRebuilt: boolean): string {
  return `${isRebuilt ? 'Rebuilt the findings from position 0. ' : ''}State of ${digest.people} person(s) over ${digest.ledgerSize} ledger entries, ${digest.openFindings} open finding(s).\n` +
    `${digest.algorithm} ${digest.digest}\n`;
}
