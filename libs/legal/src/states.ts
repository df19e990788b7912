/** An ISO 3166-1 alpha-2 state code (`BE`, `AL`, `DK`, `NL`, `NO`), with `XK` for Kosovo. */
export type StateCode = string;

/**
 * The 27 member states of the European Union (since 1 February 2020). Greece is `GR`
 * as in ISO 3166-1, although EU documents write `EL`.
 */
export const EU_MEMBER_STATES: readonly StateCode[] = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE',
  'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
];

/** Whether a state is a member of the European Union today. */
export function isEuMemberState(state: StateCode): boolean {
  return EU_MEMBER_STATES.includes(state);
}
