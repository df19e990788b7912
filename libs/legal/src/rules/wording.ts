// Small pieces of the sentences the rules write.
import { basesForPair, type Catalogue } from '../catalogue/lookup';
import type { IsoDate } from '../dates';
import type { StateCode } from '../states';

export function listStates(states: readonly StateCode[]): string {
  return states.length === 0 ? 'stateless' : states.join(', ');
}

/** "Bases in the catalogue that fit BE → AL on 2025-03-01: ETS112, BILATERAL_BE_AL_2010." */
export function fittingBases(sending: StateCode, receiving: StateCode, date: IsoDate, catalogue?: Catalogue): string {
  const ids = basesForPair(sending, receiving, date, catalogue).map((basis) => basis.id);
  return `Bases in the catalogue that fit ${sending} → ${receiving} on ${date}: ${ids.length ? ids.join(', ') : 'none'}.`;
}
