import type { IsoDate } from './dates';
import type { StateCode } from './states';

/** Offence categories the catalogue's exclusions speak of. */
export type OffenceCategory =
  | 'terrorism'
  | 'war-crimes'
  | 'crimes-against-humanity'
  | 'genocide'
  | 'violent'
  | 'sexual'
  | 'drugs'
  | 'property'
  | 'other';

/** Health conditions the catalogue's exclusions speak of. */
export type HealthCondition = 'serious-mental-illness' | 'terminal-illness';

/** How long the sentence is: a number of days, or without a fixed end. */
export type SentenceLength =
  | { kind: 'determinate'; days: number }
  | { kind: 'indeterminate' }
  | { kind: 'life' };

/** The sentence being enforced in the sending state. */
export interface SentenceFacts {
  length: SentenceLength;
  /** First day of enforcement of this sentence. */
  startedOn: IsoDate;
  /** Deprivation of liberty before `startedOn` (pre-trial detention) counted against the sentence. */
  preTrialDays: number;
  /** Whether the judgment can no longer be appealed. */
  isFinal: boolean;
  offences: readonly OffenceCategory[];
}

/** What the sending state knows about the inmate that the rules need. */
export interface InmateFacts {
  /** Every nationality the inmate holds; empty for a stateless person. */
  nationalities: readonly StateCode[];
  /** Where the inmate habitually lives, if known. */
  livesIn?: StateCode;
  /** Where the inmate habitually lived when arrested, if known. */
  residenceWhenArrested?: StateCode;
  /** An expulsion or deportation order attached to the sentence or taken because of it. */
  expulsionOrder?: { toState?: StateCode; reference?: string };
  /** The state the inmate fled or otherwise returned to before serving the sentence. */
  fledTo?: StateCode;
  /** Result of a health assessment; absent when no assessment is recorded. */
  healthConditions?: readonly HealthCondition[];
}

/** A recorded yes or no; absent while nobody has answered. */
export type Answer = 'agreed' | 'refused';

/** The day whose law governs the facts: `lawOn`, or the day the facts are evaluated on. */
export const lawDay = (facts: Pick<CaseFacts, 'requestReceivedOn' | 'lawOn'>): IsoDate => facts.lawOn ?? facts.requestReceivedOn;

/** Everything the rules look at for one case. Time comes in as dates; nothing reads a clock. */
export interface CaseFacts {
  /** Id of the legal basis in the catalogue, e.g. `ETS112`. */
  basis: string;
  sendingState: StateCode;
  receivingState: StateCode;
  /**
   * The day the receiving state received the request (2008/909: the judgment and
   * certificate). When screening before any request, the day to evaluate as of.
   */
  requestReceivedOn: IsoDate;
  /**
   * The day whose law governs the case: the day of its request. The catalogue's dated facts (each
   * party's entry into force, each declaration, each instrument's and lease's term, the replacement
   * of ETS 112 by 2008/909) are read on this day, whichever later day a step evaluates the case's
   * facts on (`requestReceivedOn`): a request is governed by the instruments in force when it was
   * made (2008/909 Art 28(1); docs/domain.md, "Law in force by date"). Absent: `requestReceivedOn`.
   */
  lawOn?: IsoDate;
  inmate: InmateFacts;
  sentence: SentenceFacts;
  /** The inmate's consent to the transfer, once asked. */
  consent?: 'given' | 'refused';
  /** Whether the inmate's opinion on the transfer has been recorded. */
  isOpinionRecorded?: boolean;
  /** ETS 112 Art 3(2): both states' recorded answer to a transfer with less than the minimum time left. */
  shortTimeLeftAgreement?: Answer;
  /**
   * ETS 112 Art 3(2), each state's own answer as it recorded it; used when `shortTimeLeftAgreement`
   * is absent (agreed once both agreed, refused once one refused).
   */
  shortTimeLeftAnswers?: Partial<Record<'sending' | 'receiving', Answer>>;
  /** 2008/909 Art 4(1)(c): the receiving state's answer when it is not the state of nationality the inmate lives in or is deported to. */
  receivingStateAgreement?: Answer;
}
