// The shape of one entry of the catalogue. The entries themselves are in catalogue.ts.
import type { HealthCondition, OffenceCategory } from '../case-facts';
import type { IsoDate } from '../dates';
import type { StateCode } from '../states';

/** How sure we are of a fact in the catalogue. `to-verify`: written from memory or secondary sources. */
export type Certainty = 'established' | 'uncertain' | 'to-verify';

/** A state bound by an instrument, from `since` (entry into force for that state) if known. */
export interface Party {
  state: StateCode;
  since?: IsoDate;
  note?: string;
}

export interface Source {
  title: string;
  reference: string;
}

/**
 * Situations in which an instrument lets a transfer go ahead without the inmate's consent.
 * The rule functions know how to test each of them against the case facts.
 */
export type ConsentExceptionGround =
  /** The receiving state is a state of nationality and the inmate lives there. */
  | 'national-living-in-receiving-state'
  /** The receiving state is a state of nationality and the inmate will be deported there. */
  | 'national-to-be-deported-to-receiving-state'
  /** The inmate fled or otherwise returned to the receiving state. */
  | 'fled-to-receiving-state'
  /** The inmate fled to the receiving state, which is a state of nationality. */
  | 'fled-to-state-of-nationality'
  /** The sentence carries an expulsion or deportation order (to any state). */
  | 'expulsion-order';

export interface ConsentException {
  ground: ConsentExceptionGround;
  cites: string;
}

export interface ConsentTerms {
  isRequiredByDefault: boolean;
  cites: string;
  exceptions: ConsentException[];
  /** Where the duty to hear and record the inmate's opinion comes from. */
  opinionCites: string;
}

/** A state's declaration that switches a consent exception off, always or in one situation. */
export interface Declaration {
  state: StateCode;
  excludes: ConsentExceptionGround;
  when: 'always' | 'habitually-resident-in-declaring-state-when-arrested';
  since?: IsoDate;
  text: string;
  cites: string;
  certainty: Certainty;
}

export interface TimeLeftTerms {
  minimumMonths: number;
  isIndeterminateSentenceAccepted: boolean;
  /** What less than the minimum means: a bar lifted only by both states, or a ground the receiving state may use. */
  belowMinimum: 'barred-unless-both-states-agree' | 'optional-refusal-ground';
  cites: string;
  belowMinimumCites: string;
}

export interface NationalityTerms {
  /**
   * `national-of-receiving-state`: the inmate is a national of the receiving state.
   * `nationality-residence-deportation-or-agreement`: 2008/909 Art 4(1).
   */
  requirement: 'national-of-receiving-state' | 'nationality-residence-deportation-or-agreement';
  cites: string;
  note?: string;
}

export interface AdaptationTerms {
  noHarsherCites: string;
  noFineCites: string;
  deductionCites: string;
}

export interface DeadlineTerms {
  decisionDays: number;
  decisionCites: string;
  transferDays: number;
  transferCites: string;
  afterObstacleDays: number;
  afterObstacleCites: string;
}

export interface LeaseEligibility {
  /** Inmates holding any of these nationalities are not eligible. */
  excludedNationalities: StateCode[];
  /** Nationalities on which the text is unclear to us: a person decides. */
  nationalitiesToDecide: StateCode[];
  requiresExpulsionOrder: boolean;
  excludedOffences: OffenceCategory[];
  excludedConditions: HealthCondition[];
  isLifeSentenceExcluded: boolean;
  cites: string;
  certainty: Certainty;
  note?: string;
}

/**
 * One fact of a lease's procedure, with how sure the project is of it and where it comes from
 * (docs/domain.md, Rule 18). `cites` is the text a verdict or an event quotes.
 */
export interface LeaseProcedureFact {
  text: string;
  cites: string;
  certainty: Certainty;
  sources: Source[];
}

/** How a person leaves the leased facility at the end of the sentence. */
export type LeaseRelease = 'deported' | 'returned-to-sending-state';

/**
 * The lease procedure (Rule 18): the lessee (tenant) state's own placement decision, under its own
 * law; nothing is recognised or adapted by the host state.
 */
export interface LeasePlacementTerms {
  /** Who decides a placement: always an authority of the tenant state. */
  decidedBy: LeaseProcedureFact & { authority: string };
  /** On which grounds (the domestic act that allows the placement, and who may be placed). */
  grounds: LeaseProcedureFact;
  /** What the person is told. */
  information: LeaseProcedureFact;
  /** Whether and how the person can appeal the placement. */
  appeal: LeaseProcedureFact;
  /** What happens at release: the dispositions the lease provides for. */
  release: LeaseProcedureFact & { dispositions: LeaseRelease[] };
  /** Which state's authorities do what inside the facility. */
  roles: LeaseProcedureFact[];
}

/**
 * Why a person goes back to the state that sentenced them (Rule 19): the lease's term is over, a
 * court of that state orders it, an appeal against the placement succeeded, or the treaty itself
 * requires it (e.g. a release that cannot be a deportation).
 */
export type ReturnGround = 'lease-ended' | 'court-order' | 'appeal-succeeded' | 'treaty';

/** One ground of return a basis provides, with its source and how sure the project is of it. */
export type ReturnGroundFact = LeaseProcedureFact & { ground: ReturnGround };

/**
 * Rule 19: the return of a person to the state that sentenced them. Under a lease the lessee, which
 * kept jurisdiction, decides it; after a transfer of enforcement the administering state, which now
 * enforces the sentence, hands the person back.
 */
export interface ReturnTerms {
  decidedBy: 'lessee' | 'administering-state';
  grounds: ReturnGroundFact[];
}

export interface LeaseTerms {
  /** The state that rents the places and sends its inmates; its law and sentence continue to apply. */
  tenantState: StateCode;
  /** The state where the facility is. */
  hostState: StateCode;
  facility: string;
  places: number;
  eligibility: LeaseEligibility;
  /** Release from the facility only with a deportation-order reference. */
  isDeportationOrderRequiredForRelease: boolean;
  /** The placement procedure (Rule 18). */
  placement: LeasePlacementTerms;
}

/** One legal basis for moving a sentenced person from one state to another. */
export interface LegalBasis {
  id: string;
  title: string;
  /** How reasons cite it, e.g. `ETS 112`. */
  citation: string;
  kind: 'transfer-of-enforcement' | 'facility-lease';
  /** Whose sentence and law apply after the move. */
  lawAfterMove: 'receiving-state' | 'sending-state';
  parties: Party[];
  inForce: { from?: IsoDate; until?: IsoDate };
  finalJudgment?: { cites: string };
  timeLeft?: TimeLeftTerms;
  nationality?: NationalityTerms;
  consent: ConsentTerms;
  adaptation?: AdaptationTerms;
  deadlines?: DeadlineTerms;
  lease?: LeaseTerms;
  /** Rule 19: the grounds on which the person goes back to the sending state, and who decides. */
  returns?: ReturnTerms;
  declarations: Declaration[];
  /** Bases this one replaces between states that are parties to both. */
  replaces?: { ids: string[]; from: IsoDate; cites: string };
  sources: Source[];
  certainty: Certainty;
  note?: string;
}
