import { randomUUID } from 'node:crypto';
import type { PlacementProfile } from '@custody/contracts';

/** Test data shared by the service's specifications (ids are fixed so that events compare). */
export const IDS = {
  facility: '6f1d2c1e-3a4b-4c5d-8e9f-0a1b2c3d4e5f',
  nationalFacility: '7a2e3d4f-5b6c-4d7e-8f90-1a2b3c4d5e6f',
  transfer: '1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7a8b',
  inmate: '2c3d4e5f-6071-4829-8b3c-4d5e6f7a8b9c',
  reservation: '3d4e5f60-7182-4930-9c4d-5e6f7a8b9c0d',
  absence: '4e5f6071-8293-4a41-8d5e-6f7a8b9c0d1e',
  command: '5f607182-93a4-4b52-9e6f-7a8b9c0d1e2f',
};

export const AT = '2026-03-02T09:30:00Z';

/** A third-country national with an expulsion order: eligible for the Danish places in Gjilan. */
export const eligibleProfile: PlacementProfile = {
  nationalities: ['MA'],
  hasExpulsionOrder: true,
  offenceCategories: ['drugs'],
  sentenceKind: 'determinate',
  hasSeriousMentalIllness: false,
  hasTerminalIllness: false,
};

export const gjilan = {
  facilityId: IDS.facility,
  name: 'Gjilan Correctional Facility (Danish-leased places)',
  country: 'XK' as const,
  operatingState: 'XK' as const,
  jurisdiction: 'leased' as const,
  lease: { lesseeState: 'DK' as const, treatyId: 'LEASE_DK_XK_2022' },
  capacity: 300,
  units: [
    { unitId: 'A', name: 'Wing A', capacity: 150 },
    { unitId: 'B', name: 'Wing B', capacity: 150 },
  ],
};

export const fierPrison = {
  facilityId: IDS.nationalFacility,
  name: 'Fier Prison',
  country: 'AL' as const,
  operatingState: 'AL' as const,
  jurisdiction: 'national' as const,
  capacity: 2,
};

export const id = (): string => randomUUID();

/** A complete admission record (European Prison Rules 15.1). */
export const admissionRecord = {
  identity: {
    givenNames: 'Youssef',
    familyName: 'El Amrani',
    dateOfBirth: '1990-07-21',
    sex: 'male' as const,
    documents: [{ kind: 'passport' as const, number: 'MA7788123', issuingState: 'MA' as const }],
  },
  commitment: {
    reason: 'Enforcement of a Danish sentence under the lease treaty',
    authority: { state: 'DK' as const, organisation: 'Danish Prison and Probation Service' },
    warrantReference: 'DK-KRIM-2026-7781',
  },
  admittedAt: '2026-03-02T09:00:00Z',
  propertyInventory: [{ description: 'Wristwatch', quantity: 1 }],
  hasVisibleInjuries: false,
  health: {
    summary: 'No acute condition; takes no medication.',
    isFitForDetention: true,
    examinedBy: { state: 'XK' as const, organisation: 'Facility medical service', officer: 'Dr. V. Berisha' },
  },
};
