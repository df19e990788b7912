import type { IntakeEvent, Sentence, StateCode } from '@custody/contracts';
import { addDays, addMonths, daysBetween, type InmateFacts, type SentenceFacts, type SentenceLength } from '@custody/legal';

/**
 * What the transfer service keeps of an inmate, folded from the intake service's events: the
 * facts the legal rules and the facility's placement profile need. No calls to intake.
 */
export interface InmateRecord {
  inmateId: string;
  sendingState?: StateCode;
  nationalities: StateCode[];
  habitualResidence?: StateCode;
  habitualResidenceAtArrest?: StateCode;
  sentence?: Sentence;
  expulsionOrder?: { orderReference: string; destinationState: StateCode; isFinal: boolean };
  health?: { hasSeriousMentalIllness: boolean; hasTerminalIllness: boolean };
  isReleased: boolean;
}

/** The intake events this service keeps facts from. */
export const INMATE_FACT_EVENTS = [
  'InmateRegistered', 'SentenceRecorded', 'SentenceAdjusted', 'ResidenceStatusRecorded', 'ExpulsionOrderRecorded',
  'HealthAssessmentRecorded', 'InmateRecordCorrected', 'DomesticReleaseRecorded',
] as const;

export const emptyInmateRecord = (inmateId: string): InmateRecord => ({ inmateId, nationalities: [], isReleased: false });

/** Folds one intake event into the record (events of other types leave it as it is). */
export function evolveInmate(record: InmateRecord, event: IntakeEvent): InmateRecord {
  switch (event.type) {
    case 'InmateRegistered': {
      const { nationalities, sendingState, residence } = event.data;
      return {
        ...record,
        nationalities: [...nationalities],
        sendingState,
        habitualResidence: residence.habitualResidence,
        habitualResidenceAtArrest: residence.habitualResidenceAtArrest,
      };
    }
    case 'SentenceRecorded':
    case 'SentenceAdjusted':
      return { ...record, sentence: event.data.sentence };
    case 'ResidenceStatusRecorded':
      return { ...record, habitualResidence: event.data.habitualResidence, habitualResidenceAtArrest: event.data.habitualResidenceAtArrest };
    case 'ExpulsionOrderRecorded': {
      const { orderReference, destinationState, isFinal } = event.data.expulsionOrder;
      return { ...record, expulsionOrder: { orderReference, destinationState, isFinal } };
    }
    case 'HealthAssessmentRecorded':
      return { ...record, health: { hasSeriousMentalIllness: event.data.hasSeriousMentalIllness, hasTerminalIllness: event.data.hasTerminalIllness } };
    case 'InmateRecordCorrected':
      // Rule 15: a correction replaces the facts it carries; identity is not kept here.
      return event.data.nationalities ? { ...record, nationalities: [...event.data.nationalities] } : record;
    case 'DomesticReleaseRecorded':
      return { ...record, isReleased: true };
    default:
      return record;
  }
}

/** The inmate as the legal rules see them. */
export function inmateFacts(record: InmateRecord): InmateFacts {
  const healthConditions = record.health
    ? [
        ...(record.health.hasSeriousMentalIllness ? (['serious-mental-illness'] as const) : []),
        ...(record.health.hasTerminalIllness ? (['terminal-illness'] as const) : []),
      ]
    : undefined;
  return {
    nationalities: record.nationalities,
    livesIn: record.habitualResidence,
    residenceWhenArrested: record.habitualResidenceAtArrest,
    expulsionOrder: record.expulsionOrder
      ? { toState: record.expulsionOrder.destinationState, reference: record.expulsionOrder.orderReference }
      : undefined,
    healthConditions,
  };
}

/** A length in years, months and days as a number of days counted from `from`. */
export function lengthInDays(from: string, length: { years: number; months: number; days: number }): number {
  return daysBetween(from, addDays(addMonths(from, length.years * 12 + length.months), length.days));
}

/** The sentence as the legal rules see it; `isFinal` once the final-judgment date is on or before `asOf`. */
export function sentenceFacts(sentence: Sentence, asOf: string): SentenceFacts {
  const length: SentenceLength =
    sentence.kind === 'determinate' && sentence.length
      ? { kind: 'determinate', days: lengthInDays(sentence.enforcementStartDate, sentence.length) }
      : { kind: sentence.kind === 'life' ? 'life' : 'indeterminate' };
  return {
    length,
    startedOn: sentence.enforcementStartDate,
    preTrialDays: sentence.preTrialDays,
    isFinal: sentence.finalJudgmentDate !== undefined && sentence.finalJudgmentDate <= asOf,
    offences: sentence.offences.map((offence) => offence.category),
  };
}
