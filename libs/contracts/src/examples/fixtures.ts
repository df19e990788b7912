import type { Authority, HandOverParty, Escort } from '../common/authority';
import type { PersonIdentity } from '../common/identity';
import type { Sentence } from '../intake/values';
import type { PlacementProfile } from '../custody/values';

/**
 * Shared facts of the examples: Belgium transfers an Albanian national to Albania under ETS 112;
 * Denmark places a third-country national in its leased places in Gjilan, Kosovo.
 */
export const IDS = {
  inmate: '3f1c2a4e-8b6d-4f0a-9c1e-2d7b5a6c8e01',
  transfer: '7a2b9c1d-3e4f-4a5b-8c6d-9e0f1a2b3c02',
  facility: 'c4d5e6f7-0a1b-4c2d-9e3f-4a5b6c7d8e03',
  reservation: 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e504',
  absence: 'e5f6a7b8-c9d0-4e1f-a2b3-c4d5e6f7a805',
  command: '0b7f3f7e-6c9a-4a39-9a0f-3f1f2d2b6c06',
  event: '5c8d2e1f-7a3b-4c9d-8e2f-1a0b9c8d7e07',
  finding: 'f0e1d2c3-b4a5-4968-8776-655443322108',
  checkpoint: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c09',
} as const;

export const AT = '2026-03-02T09:30:00Z';

export const identity: PersonIdentity = {
  givenNames: 'Arben',
  familyName: 'Hoxha',
  dateOfBirth: '1988-05-14',
  placeOfBirth: 'Durrës',
  sex: 'male',
  documents: [
    { kind: 'passport', number: 'BA1234567', issuingState: 'AL' },
    { kind: 'prison-number', number: 'HAR-2024-0815', issuingState: 'BE' },
  ],
};

export const sentence: Sentence = {
  court: 'Tribunal de première instance de Bruxelles',
  caseReference: 'BXL-2023-CR-4412',
  finalJudgmentDate: '2024-02-20',
  offences: [{ description: 'Trafficking of narcotics', category: 'drugs', legalProvision: 'Law of 24 February 1921, art. 2bis' }],
  kind: 'determinate',
  length: { years: 6, months: 0, days: 0 },
  sentenceEndDate: '2029-11-03',
  enforcementStartDate: '2023-11-03',
  preTrialDays: 131,
  // On AT (2026-03-02): 131 days of pre-trial detention and 850 since enforcement started, all counted (Rule 8).
  daysServed: 981,
};

export const belgianPrison: Authority = { state: 'BE', organisation: 'Prison de Haren', officer: 'Inspector L. Peeters' };
export const belgianJustice: Authority = { state: 'BE', organisation: 'FPS Justice, Central Authority' };
export const albanianJustice: Authority = { state: 'AL', organisation: 'Ministry of Justice of Albania', officer: 'E. Dervishi' };

export const escort: Escort = { state: 'BE', organisation: 'Federal Police, Escort Directorate', leadOfficer: 'Commissioner M. Janssens' };

export const dispatchSide: HandOverParty = {
  state: 'BE', organisation: 'Federal Police, Escort Directorate', officer: 'Commissioner M. Janssens', place: 'Tirana International Airport',
};

export const receiptSide: HandOverParty = {
  state: 'AL', organisation: 'General Directorate of Prisons', officer: 'Chief Inspector A. Kola', place: 'Tirana International Airport',
};

export const profile: PlacementProfile = {
  nationalities: ['AL'],
  hasExpulsionOrder: true,
  offenceCategories: ['drugs'],
  sentenceKind: 'determinate',
  hasSeriousMentalIllness: false,
  hasTerminalIllness: false,
};

/**
 * A personal field as the services publish it, encrypted with the person's data key (these were
 * made with an example key; real values decrypt only with the key the owning service holds).
 */
export const encrypted = (iv: string, ct: string) => ({ enc: 'A256GCM' as const, kid: 'e5a1c7d2-4b3f-4e6a-8d9c-0b1a2f3e4d05', iv, ct });
/** The identity with its personal fields encrypted (intake's InmateRegistered, custody's InmateAdmitted). */
export const protectedIdentity = {
  givenNames: encrypted('CAkeDYxa3jjqRhNh', 'G5HmX_VGJou95CfCnuGto2XX7Lh0KRg'),
  familyName: encrypted('Aj_TVmQ-7qzHKIRy', 'hlPYtrWvfNSArGtPu3hOmuHZMtdemJ8'),
  dateOfBirth: encrypted('dPQEkHZZtG20mZ6_', 'bHzyBeKhwXkTnA6toBFZWHvUUtCsdtsMvHTq6g'),
  placeOfBirth: encrypted('68V5THKKgyvBO_Ti', 'M9YTocuq_5El1c95FkBR0J50ifkHYvGj0Q'),
  sex: identity.sex,
  documents: encrypted('dAI6WHR50gyD6DqK', 'qhZkpkiQ4kpa47u6WNRkuQxemJLHEVQkrgSpRy2cMYcIzZDkwICdjl-WWUZ2TpUVo6dYiIEtoJmNuYcWbOIxQ3GSNIv-qmSkwyDDJ6zQ'),
};
