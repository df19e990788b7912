import { validateEvent } from '@custody/contracts';
import { generateDataKey, PersonalDataDecryptionError } from '@custody/personal-data';
import { commandBodies } from '../inmate/inmate.examples';
import { hasClearPersonalFields, MissingDataKeyError, openEvent, sealEvent } from './personal-fields';
import { addRetentionPeriod, parseRetentionPeriod } from './retention-period';

const inmateId = '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01';
const { commandId: _c, occurredAt: _o, ...registration } = commandBodies(inmateId, '0b7f3f7e-6c9a-4a39-9a0f-3f1f2d2b6c06').RegisterInmate();
const key = { kid: 'b2a9c1e0-1111-4e6a-8d9c-0b1a2f3e4d05', key: generateDataKey() };

describe('sealing and opening the personal fields of an intake event', () => {
  it('encrypts names, date and place of birth and documents, keeps the rest, and is valid at the current version', () => {
    const sealed = sealEvent('InmateRegistered', registration, key) as typeof registration;
    const text = JSON.stringify(sealed);
    for (const clear of ['Arben', 'Hoxha', '1988-05-14', 'Durrës', 'BA1234567']) expect(text).not.toContain(clear);
    expect(sealed).toMatchObject({ inmateId, nationalities: ['AL'], sendingState: 'BE', identity: { sex: 'male', familyName: { enc: 'A256GCM', kid: key.kid } } });
    expect(validateEvent('InmateRegistered', 3, sealed).ok).toBe(true);
    expect(hasClearPersonalFields('InmateRegistered', registration)).toBe(true);
    expect(hasClearPersonalFields('InmateRegistered', sealed)).toBe(false);
    expect(sealEvent('InmateRegistered', sealed, key)).toEqual(sealed);
    expect(sealEvent('SentenceRecorded', { inmateId }, key)).toEqual({ inmateId });
  });

  it('opens with the key to exactly what was sealed', () => {
    const sealed = sealEvent('InmateRegistered', registration, key);
    expect(openEvent('InmateRegistered', sealed, { status: 'held', key })).toEqual({ data: registration, isErased: false });
  });

  it('shows every personal field as null once the key is destroyed, for sealed and for clear (older) events alike', () => {
    const sealed = sealEvent('InmateRegistered', registration, key);
    const erasedIdentity = { givenNames: null, familyName: null, dateOfBirth: null, placeOfBirth: null, sex: 'male', documents: null };
    expect(openEvent('InmateRegistered', sealed, { status: 'erased' })).toEqual({ data: { ...registration, identity: erasedIdentity }, isErased: true });
    expect(openEvent('InmateRegistered', registration, { status: 'erased' })).toEqual({ data: { ...registration, identity: erasedIdentity }, isErased: true });
    expect(openEvent('InmateRegistered', registration, { status: 'none' })).toEqual({ data: registration, isErased: false });
  });

  it('fails loudly on a sealed value without its key, or with another person\'s key', () => {
    const sealed = sealEvent('InmateRegistered', registration, key);
    expect(() => openEvent('InmateRegistered', sealed, { status: 'none' })).toThrow(MissingDataKeyError);
    expect(() => openEvent('InmateRegistered', sealed, { status: 'held', key: { ...key, key: generateDataKey() } })).toThrow(PersonalDataDecryptionError);
    const moved = { ...(sealed as object), inmateId: '9a1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e09' };
    expect(() => openEvent('InmateRegistered', moved, { status: 'held', key })).toThrow(PersonalDataDecryptionError);
  });
});

describe('retention periods', () => {
  it('reads ISO 8601 periods of years, months and days, and nothing else', () => {
    expect(parseRetentionPeriod('P10Y')).toEqual({ years: 10, months: 0, days: 0 });
    expect(parseRetentionPeriod('P5Y6M10D')).toEqual({ years: 5, months: 6, days: 10 });
    expect(parseRetentionPeriod('P0D')).toEqual({ years: 0, months: 0, days: 0 });
    for (const bad of ['P', '10Y', 'P1W', 'PT1H', 'P-1Y', '', 3650]) expect(parseRetentionPeriod(bad)).toBeUndefined();
  });

  it('adds calendar months, then days', () => {
    expect(addRetentionPeriod('2020-01-10', { years: 10, months: 0, days: 0 })).toBe('2030-01-10');
    expect(addRetentionPeriod('2024-02-29', { years: 1, months: 0, days: 0 })).toBe('2025-02-28');
    expect(addRetentionPeriod('2020-01-31', { years: 0, months: 1, days: 1 })).toBe('2020-03-01');
  });
});
