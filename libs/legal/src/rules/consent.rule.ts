import { lawDay, type CaseFacts } from '../case-facts';
import type { ConsentExceptionGround, Declaration, LegalBasis } from '../catalogue/legal-basis';
import { getLegalBasis, type Catalogue } from '../catalogue/lookup';
import { isBefore } from '../dates';
import { met, needsDecision, notMet, type Verdict } from '../verdict';

type ConsentFacts = Pick<CaseFacts, 'basis' | 'sendingState' | 'receivingState' | 'requestReceivedOn' | 'inmate' | 'consent'> & Pick<Partial<CaseFacts>, 'lawOn'>;

/**
 * Whether the inmate's consent is needed, and the legal reason. `undetermined`: it
 * hangs on a fact not yet recorded (e.g. where the inmate lived when arrested).
 */
export type ConsentRequirement =
  | { status: 'not-required'; ground?: ConsentExceptionGround; cites: string; explanation: string }
  | { status: 'required'; cites: string; explanation: string }
  | { status: 'undetermined'; cites: string; explanation: string };

function groundHolds(ground: ConsentExceptionGround, facts: ConsentFacts): boolean {
  const { nationalities, livesIn, expulsionOrder, fledTo } = facts.inmate;
  const receiving = facts.receivingState;
  const isNational = nationalities.includes(receiving);
  switch (ground) {
    case 'national-living-in-receiving-state':
      return isNational && livesIn === receiving;
    case 'national-to-be-deported-to-receiving-state':
      return isNational && expulsionOrder?.toState === receiving;
    case 'fled-to-receiving-state':
      return fledTo === receiving;
    case 'fled-to-state-of-nationality':
      return isNational && fledTo === receiving;
    case 'expulsion-order':
      return expulsionOrder !== undefined;
  }
}

function describeGround(ground: ConsentExceptionGround, receiving: string): string {
  switch (ground) {
    case 'national-living-in-receiving-state':
      return `the inmate is a national of ${receiving} and lives there`;
    case 'national-to-be-deported-to-receiving-state':
      return `the inmate is a national of ${receiving} and will be deported there after release`;
    case 'fled-to-receiving-state':
      return `the inmate fled or returned to ${receiving}`;
    case 'fled-to-state-of-nationality':
      return `the inmate fled to ${receiving}, a state of nationality`;
    case 'expulsion-order':
      return 'the sentence carries an expulsion or deportation order';
  }
}

/** Whether a declaration switches the exception off here: yes, no, or unknown for lack of a fact. */
function declarationApplies(declaration: Declaration, facts: ConsentFacts): boolean | undefined {
  if (declaration.when === 'always') return true;
  const residence = facts.inmate.residenceWhenArrested;
  return residence === undefined ? undefined : residence === declaration.state;
}

function declarationsAgainst(basis: LegalBasis, ground: ConsentExceptionGround, facts: ConsentFacts): Declaration[] {
  return basis.declarations.filter(
    (d) =>
      d.excludes === ground &&
      [facts.sendingState, facts.receivingState].includes(d.state) &&
      // A declaration counts from its date, read on the day whose law governs the case (its request).
      (d.since === undefined || !isBefore(lawDay(facts), d.since)),
  );
}

/** Rule 5: is consent required under this basis for this inmate, and why (not). Throws UnknownLegalBasisError. */
export function consentRequirement(facts: ConsentFacts, catalogue?: Catalogue): ConsentRequirement {
  const basis = getLegalBasis(facts.basis, catalogue);
  const { consent } = basis;
  if (!consent.isRequiredByDefault) {
    return { status: 'not-required', cites: consent.cites, explanation: `${basis.citation} does not require the inmate's consent` };
  }
  const blocked: string[] = [];
  const unknown: string[] = [];
  for (const exception of consent.exceptions) {
    if (!groundHolds(exception.ground, facts)) continue;
    const why = describeGround(exception.ground, facts.receivingState);
    const against = declarationsAgainst(basis, exception.ground, facts);
    const applying = against.filter((d) => declarationApplies(d, facts) === true);
    if (applying.length > 0) {
      blocked.push(`${exception.cites} would waive it (${why}), but ${applying.map((d) => d.cites).join(' and ')} excludes that here`);
    } else if (against.some((d) => declarationApplies(d, facts) === undefined)) {
      unknown.push(`${exception.cites} waives it (${why}) unless ${against.map((d) => d.cites).join(' and ')} applies; record where the inmate habitually lived when arrested`);
    } else {
      return { status: 'not-required', ground: exception.ground, cites: exception.cites, explanation: why };
    }
  }
  if (unknown.length > 0) {
    return { status: 'undetermined', cites: consent.cites, explanation: `consent is required unless an exception applies: ${unknown.join('; ')}` };
  }
  return {
    status: 'required',
    cites: consent.cites,
    explanation: `the inmate's consent is required${blocked.length ? `; ${blocked.join('; ')}` : ''}`,
  };
}

/** Rule 5 as a verdict: met when consent is not required or has been given. */
export function checkConsent(facts: ConsentFacts, catalogue?: Catalogue): Verdict {
  const requirement = consentRequirement(facts, catalogue);
  const { cites, explanation } = requirement;
  if (requirement.status === 'not-required') {
    return met('CONSENT', `${cites}: consent not required, because ${explanation}. The inmate's opinion is still recorded.`);
  }
  if (facts.consent === 'given') return met('CONSENT', `${cites}: the inmate has consented (${explanation}).`);
  if (requirement.status === 'required' && facts.consent === 'refused') {
    return notMet('CONSENT', 'CONSENT_REFUSED', `${cites}: ${explanation}, and the inmate has refused; the transfer cannot go ahead on this basis.`);
  }
  const ask = facts.consent === 'refused' ? 'The inmate has refused' : 'Ask the inmate and record the answer';
  return needsDecision('CONSENT', 'CONSENT_REQUIRED', `${cites}: ${explanation}. ${ask}.`);
}

/** Domain rule 5: the inmate's opinion is always recorded, whether or not consent is needed. */
export function checkOpinion(facts: Pick<CaseFacts, 'basis' | 'isOpinionRecorded'>, catalogue?: Catalogue): Verdict {
  const cites = getLegalBasis(facts.basis, catalogue).consent.opinionCites;
  return facts.isOpinionRecorded
    ? met('OPINION', `${cites}: the inmate's opinion is recorded.`)
    : needsDecision(
        'OPINION',
        'OPINION_NOT_RECORDED',
        `${cites}: record the inmate's opinion on the transfer, and notify the decision in a language the inmate understands.`,
      );
}
