import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findMessage, MESSAGE_DEFINITIONS } from '../catalogue/catalogue';
import { fromKafkaMessage } from '../envelope/read';
import { toKafkaMessage } from '../envelope/write';
import { validateEvent } from '../validation/validate';
import { findUpcaster, readEvent } from './read-event';
import { UPCASTERS } from './upcasters';

const samplesDir = join(__dirname, '..', '..', 'samples', 'v1');
const samples = readdirSync(samplesDir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => [file, JSON.parse(readFileSync(join(samplesDir, file), 'utf8'))] as const);

describe('upcasters', () => {
  it('has stored v1 samples to test against', () => {
    expect(samples.map(([file]) => file)).toContain('InmateRegistered.json');
  });

  it.each(samples)('%s: a stored v1 event is valid at v1 and reads as a valid current version', (_file, stored) => {
    expect(validateEvent(stored.type, 1, stored.data).ok).toBe(true);
    const read = readEvent(stored.type, stored.schemaVersion, stored.data);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.schemaVersion).toBe(findMessage(stored.type)!.version);
    expect(read.value.writtenVersion).toBe(1);
    expect(validateEvent(stored.type, read.value.schemaVersion, read.value.data).ok).toBe(true);
  });

  it('InmateRegistered v1 → v2 turns the single nationality into the list and keeps every other fact', () => {
    const stored = samples.find(([file]) => file === 'InmateRegistered.json')![1];
    const read = readEvent('InmateRegistered', 1, stored.data);
    if (!read.ok) throw read.error;
    const { nationality, ...unchanged } = stored.data;
    expect(read.value.data).toEqual({ ...unchanged, nationalities: [nationality] });
    expect(read.value.data).not.toHaveProperty('nationality');
  });

  it('PlaceReservationDeclined v1 → v2: a refusal of version 1 ended its case, and is read so', () => {
    const stored = samples.find(([file]) => file === 'PlaceReservationDeclined.json')![1];
    const read = readEvent('PlaceReservationDeclined', 1, stored.data);
    if (!read.ok) throw read.error;
    expect(read.value).toMatchObject({ schemaVersion: 2, writtenVersion: 1, data: { ...stored.data, isCaseEnded: true } });
    // Version 2 says it itself, either way.
    expect(validateEvent('PlaceReservationDeclined', 2, { ...stored.data, isCaseEnded: false }).ok).toBe(true);
    expect(validateEvent('PlaceReservationDeclined', 2, stored.data).ok).toBe(false);
  });

  it('a v1 event read from Kafka reaches the consumer at the current version (3)', () => {
    const stored = samples.find(([file]) => file === 'InmateRegistered.json')![1];
    const parsed = fromKafkaMessage(toKafkaMessage(stored));
    if (!parsed.ok) throw parsed.error;
    expect(parsed.value.writtenVersion).toBe(1);
    expect(parsed.value.schemaVersion).toBe(3);
    expect(parsed.value.data).toMatchObject({ nationalities: ['AL'] });
  });

  it('lifts an event written in clear before personal fields were encrypted unchanged: the clear identity is what was written', () => {
    const stored = samples.find(([file]) => file === 'InmateRegistered.json')![1];
    const read = readEvent('InmateRegistered', 1, stored.data);
    if (!read.ok) throw read.error;
    expect((read.value.data as { identity: unknown }).identity).toEqual(stored.data.identity);
    const correction = { inmateId: stored.data.inmateId, correctedEventId: stored.id, reason: 'Misread date of birth.', identity: { ...stored.data.identity, dateOfBirth: '1988-05-15' } };
    const lifted = readEvent('InmateRecordCorrected', 1, correction);
    expect(lifted.ok && lifted.value).toMatchObject({ schemaVersion: 2, writtenVersion: 1, data: correction });
  });

  it('TransferObstacleEnded v1 (transferDueAt required) reads unchanged as v2, where an obstacle without a deadline names none', () => {
    const v1 = { transferId: '7a2b9c1d-3e4f-4a5b-8c6d-9e0f1a2b3c02', inmateId: '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01', transferDueAt: '2026-04-24T09:30:00Z' };
    const read = readEvent('TransferObstacleEnded', 1, v1);
    expect(read.ok && read.value).toMatchObject({ schemaVersion: 2, writtenVersion: 1, data: v1 });
    const { transferDueAt: _due, ...withoutDeadline } = v1;
    expect(validateEvent('TransferObstacleEnded', 1, withoutDeadline).ok).toBe(false);
    expect(validateEvent('TransferObstacleEnded', 2, withoutDeadline).ok).toBe(true);
  });

  it('InmateOpinionRecorded v1 (opinion in clear) reads unchanged as v2, where the opinion is an encrypted value', () => {
    const v1 = {
      transferId: '7a2b9c1d-3e4f-4a5b-8c6d-9e0f1a2b3c02', inmateId: '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01', opinion: 'I agree to go.', language: 'sq',
      recordedBy: { state: 'BE', organisation: 'Prison de Haren' },
    };
    const read = readEvent('InmateOpinionRecorded', 1, v1);
    expect(read.ok && read.value).toMatchObject({ schemaVersion: 2, writtenVersion: 1, data: v1 });
    const sealed = { ...v1, opinion: { enc: 'A256GCM', kid: 'e5a1c7d2-4b3f-4e6a-8d9c-0b1a2f3e4d05', iv: 'Aj_TVmQ-7qzHKIRy', ct: 'hlPYtrWvfNSArGtPu3hOmuHZMtdemJ8' } };
    expect(validateEvent('InmateOpinionRecorded', 1, sealed).ok).toBe(false);
    expect(validateEvent('InmateOpinionRecorded', 2, sealed).ok).toBe(true);
    expect(validateEvent('InmateOpinionRecorded', 2, { ...v1, opinion: { ...sealed.opinion, iv: 'short' } }).ok).toBe(false);
  });

  it('rejects an invalid v1 payload before upcasting, naming the v1 field', () => {
    const stored = samples.find(([file]) => file === 'InmateRegistered.json')![1];
    const read = readEvent('InmateRegistered', 1, { ...stored.data, nationality: 'Albanian' });
    expect(!read.ok && read.error.errors).toEqual([expect.objectContaining({ path: 'nationality' })]);
  });

  it('every older version of every message type has an upcaster to the next one', () => {
    for (const definition of MESSAGE_DEFINITIONS) {
      for (let version = 1; version < definition.version; version++) {
        expect(findUpcaster(definition.type, version)).toBeDefined();
        expect(definition.legacy[version]).toBeDefined();
      }
    }
    for (const upcaster of UPCASTERS) {
      expect(upcaster.fromVersion).toBeLessThan(findMessage(upcaster.type)!.version);
    }
  });

  it('answers UNKNOWN_SCHEMA_VERSION for a version above the current one', () => {
    const read = readEvent('InmateRegistered', 4, {});
    expect(!read.ok && read.error.code).toBe('UNKNOWN_SCHEMA_VERSION');
  });
});
