import { EXAMPLES, LEGACY_EXAMPLES } from '../examples/examples';
import { CUSTODY_COMMAND_EXAMPLES } from '../examples/custody';
import { INTAKE_COMMAND_EXAMPLES } from '../examples/intake';
import { MESSAGE_DEFINITIONS } from '../catalogue/catalogue';
import { validateCommand, validateEvent } from './validate';

const registration = INTAKE_COMMAND_EXAMPLES.RegisterInmate;

function problemsOf(result: ReturnType<typeof validateCommand>) {
  if (result.ok) throw new Error('expected a violation');
  return result.error;
}

describe('validateCommand', () => {
  it('accepts a valid command and returns the typed payload', () => {
    const result = validateCommand('RegisterInmate', registration);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.nationalities).toEqual(['AL']);
  });

  it('lists every failing field, nested ones with their path', () => {
    const bad = {
      ...registration,
      inmateId: 'not-a-uuid',
      occurredAt: '2026-03-02 09:30',
      nationalities: ['AL', 'ZZ'],
      identity: { ...registration.identity, dateOfBirth: '1988-02-30', documents: [{ kind: 'passport', number: '', issuingState: 'al' }] },
    };
    const error = problemsOf(validateCommand('RegisterInmate', bad));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors.map((e) => e.path).sort()).toEqual(
      [
        'identity.dateOfBirth',
        'identity.documents.0.issuingState',
        'identity.documents.0.number',
        'inmateId',
        'nationalities',
        'occurredAt',
      ].sort(),
    );
    expect(error.errors.find((e) => e.path === 'inmateId')!.problem).toBe('inmateId must be a UUID');
  });

  it('reports missing required fields', () => {
    const { sendingState: _s, holdingFacility: _h, ...rest } = registration;
    const paths = problemsOf(validateCommand('RegisterInmate', rest)).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['sendingState', 'holdingFacility']));
  });

  it('rejects unknown fields, at the top and nested', () => {
    const bad = { ...registration, shoeSize: 44, residence: { ...registration.residence, favouriteColour: 'blue' } };
    const error = problemsOf(validateCommand('RegisterInmate', bad));
    expect(error.errors).toEqual(
      expect.arrayContaining([
        { path: 'shoeSize', problem: 'property shoeSize should not exist' },
        { path: 'residence.favouriteColour', problem: 'property favouriteColour should not exist' },
      ]),
    );
  });

  it('accepts XK for Kosovo and rejects codes outside ISO 3166-1 alpha-2', () => {
    expect(validateCommand('RegisterInmate', { ...registration, nationalities: ['XK'] }).ok).toBe(true);
    expect(validateCommand('RegisterInmate', { ...registration, sendingState: 'UK' }).ok).toBe(false);
  });

  it('applies conditional rules: a lease names its facility', () => {
    const error = problemsOf(
      validateCommand('RequestTransfer', {
        commandId: registration.commandId, occurredAt: registration.occurredAt, transferId: registration.inmateId,
        inmateId: registration.inmateId, sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022',
      }),
    );
    expect(error.errors.map((e) => e.path).sort()).toEqual(['facilityId']);
  });

  it('Rule 14 (European Prison Rules 51.3–51.4, 42.1–42.3, 38.3, 30.1): an admission may carry its placement, each of whose fields is checked and named', () => {
    const admission = CUSTODY_COMMAND_EXAMPLES.AdmitInmate;
    const { placement: _placement, ...withoutPlacement } = admission.admission;
    expect(validateCommand('AdmitInmate', admission).ok).toBe(true);
    expect(validateCommand('AdmitInmate', { ...admission, admission: withoutPlacement }).ok).toBe(true);
    const bad = { ...admission, admission: { ...admission.admission, placement: { securityLevel: 'extreme', medicalNeeds: [''], languages: [], needsInterpreter: 'yes' } } };
    expect(problemsOf(validateCommand('AdmitInmate', bad)).errors.map((e) => e.path).sort()).toEqual([
      'admission.placement.languages', 'admission.placement.medicalNeeds', 'admission.placement.needsInterpreter', 'admission.placement.securityLevel',
    ]);
  });

  it('rejects a payload that is not an object', () => {
    const error = problemsOf(validateCommand('RegisterInmate', ['a']));
    expect(error.errors).toEqual([{ path: '', problem: 'the payload must be a JSON object' }]);
  });

  it('answers UNKNOWN_MESSAGE_TYPE for a type outside the catalogue or an event type', () => {
    expect(problemsOf(validateCommand('RegisterPrisoner', registration)).code).toBe('UNKNOWN_MESSAGE_TYPE');
    expect(problemsOf(validateCommand('InmateRegistered', registration)).code).toBe('UNKNOWN_MESSAGE_TYPE');
  });
});

describe('validateEvent', () => {
  it('validates at the version asked for', () => {
    const v3 = EXAMPLES.InmateRegistered;
    expect(validateEvent('InmateRegistered', 3, v3).ok).toBe(true);
    const v2 = LEGACY_EXAMPLES.InmateRegistered[2];
    expect(validateEvent('InmateRegistered', 2, v2).ok).toBe(true);
    const asV1 = validateEvent('InmateRegistered', 1, v2);
    expect(asV1.ok).toBe(false);
    if (!asV1.ok) expect(asV1.error.errors.map((e) => e.path).sort()).toEqual(['nationalities', 'nationality']);
    // Version 2 is frozen in clear: an encrypted value there is refused, field by field.
    const encryptedAsV2 = validateEvent('InmateRegistered', 2, v3);
    const fieldsRefused = !encryptedAsV2.ok && [...new Set(encryptedAsV2.error.errors.map((e) => e.path.split('.').slice(0, 2).join('.')))].sort();
    expect(fieldsRefused).toEqual(
      ['identity.dateOfBirth', 'identity.documents', 'identity.familyName', 'identity.givenNames', 'identity.placeOfBirth'],
    );
  });

  it('takes a personal field as an encrypted value, or in clear as an event written before v3 holds it, and nothing else', () => {
    const v3 = EXAMPLES.InmateRegistered as { identity: Record<string, unknown> };
    const clear = LEGACY_EXAMPLES.InmateRegistered[2];
    expect(validateEvent('InmateRegistered', 3, clear).ok).toBe(true);
    const broken = validateEvent('InmateRegistered', 3, {
      ...v3,
      identity: {
        ...v3.identity,
        givenNames: { ...(v3.identity.givenNames as object), enc: 'A128CBC' },
        familyName: { ...(v3.identity.familyName as object), extra: 'x' },
        dateOfBirth: '14/05/1988',
        documents: [],
      },
    });
    expect(!broken.ok && broken.error.errors.map((e) => e.path).sort()).toEqual(
      ['identity.dateOfBirth', 'identity.documents', 'identity.familyName', 'identity.givenNames'],
    );
    expect(!broken.ok && broken.error.errors[0].problem).toContain('encrypted value');
  });

  it('answers UNKNOWN_SCHEMA_VERSION for a version that never existed', () => {
    const result = validateEvent('InmateRegistered', 4, EXAMPLES.InmateRegistered);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('UNKNOWN_SCHEMA_VERSION');
      expect(result.error.errors[0].problem).toContain('current version is 3');
    }
  });

  it('answers UNKNOWN_MESSAGE_TYPE for a command type', () => {
    const result = validateEvent('RegisterInmate', 1, registration);
    expect(!result.ok && result.error.code).toBe('UNKNOWN_MESSAGE_TYPE');
  });
});

describe('examples', () => {
  it.each(MESSAGE_DEFINITIONS.map((d) => [d.type, d] as const))('%s: its example passes class-validator', (type, definition) => {
    const example = EXAMPLES[type];
    const result = definition.kind === 'command' ? validateCommand(type, example) : validateEvent(type, definition.version, example);
    expect(result.ok ? [] : result.error.errors).toEqual([]);
  });
});
