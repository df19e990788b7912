import { IsOptional } from 'class-validator';
import { IsText } from './formats';
import { IsStateCode, type StateCode } from './state-codes';

/** A named authority: the state, the organisation and, where one acts, the officer. */
export class Authority {
  @IsStateCode()
  state!: StateCode;

  @IsText()
  organisation!: string;

  @IsOptional()
  @IsText()
  officer?: string;
}

/** One side of a hand-over (Rule 11): the officer and organisation acting, and the place. */
export class HandOverParty {
  @IsStateCode()
  state!: StateCode;

  @IsText()
  organisation!: string;

  @IsText()
  officer!: string;

  /** Where the hand-over took place (an airport, a border crossing, a facility gate). */
  @IsText()
  place!: string;
}

/** A named escort: who holds the person while in transit (Rule 10). */
export class Escort {
  @IsStateCode()
  state!: StateCode;

  @IsText()
  organisation!: string;

  @IsText()
  leadOfficer!: string;
}
