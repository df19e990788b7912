/**
 * Who may do what for which state: a pure, table-driven policy. A decision depends only on the
 * principal's roles and state, the action, and the states the resource belongs to: nothing is
 * read from the clock, the network or the database.
 */

/** The roles a ministry's identity provider may grant (claim `roles`). */
export const ROLES = ['intake-officer', 'transfer-coordinator', 'facility-officer', 'auditor', 'integration', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** The authenticated caller: the state comes from the issuer's configuration, never from the token. */
export interface Principal {
  /** `sub` of the token. */
  subject: string;
  /** ISO 3166-1 alpha-2 code of the ministry whose issuer signed the token. */
  state: string;
  roles: Role[];
  issuer: string;
  /** `org` of the token when present (the ministry or agency). */
  organisation?: string;
}

/**
 * The states a resource belongs to, as far as the resolver knows them. An inmate or a case
 * belongs to its sending and receiving states; a facility to the state that operates it and,
 * when leased, to the lessee; `global` resources (a list, an operator task) to no state.
 */
export type ResourceJurisdiction =
  | { kind: 'inmate' | 'case'; sendingState?: string; receivingState?: string }
  | { kind: 'facility'; operatorState: string; lesseeState?: string }
  | { kind: 'global' };

/** How the principal's state relates to a resource. */
export type Relation = 'sending' | 'receiving' | 'operator' | 'lessee';

/** What a rule requires of the resource: one of these relations, or none (`any`). */
type Scope = readonly Relation[] | 'any';

interface Rule {
  roles: readonly Role[];
  scope: Scope;
}

const CASE_PARTIES = ['sending', 'receiving'] as const;
const FACILITY_STATES = ['operator', 'lessee'] as const;

/**
 * The policy table. Reads of a person's file are for the states of the person's case only: a
 * host state (operator of a leased facility) sees the facility's occupancy, not the lessee's
 * case files. Lists (`*:search`) are `any` here and filtered by the service to the caller's
 * states ({@link visibleStates}).
 */
export const POLICY = {
  'inmate:register': { roles: ['intake-officer', 'integration'], scope: ['sending'] },
  'inmate:write': { roles: ['intake-officer', 'integration'], scope: ['sending'] },
  'inmate:read': { roles: ['intake-officer', 'transfer-coordinator', 'facility-officer', 'auditor', 'integration'], scope: CASE_PARTIES },
  'inmate:search': { roles: ['intake-officer', 'transfer-coordinator', 'auditor', 'integration'], scope: 'any' },
  'inmate:screen': { roles: ['intake-officer', 'transfer-coordinator', 'integration'], scope: CASE_PARTIES },
  // Rule 16: erasure and legal holds are the sending state's, which keeps the record; the list of
  // who is due and the destruction log are for auditors and operators (filtered to their state).
  'inmate:erase': { roles: ['intake-officer', 'integration'], scope: ['sending'] },
  'inmate:hold': { roles: ['intake-officer', 'integration'], scope: ['sending'] },
  'personal-data:audit': { roles: ['auditor', 'operator'], scope: 'any' },
  'transfer:request': { roles: ['transfer-coordinator', 'integration'], scope: ['sending'] },
  'transfer:act': { roles: ['transfer-coordinator', 'integration'], scope: CASE_PARTIES },
  'transfer:decide': { roles: ['transfer-coordinator', 'integration'], scope: ['receiving'] },
  'transfer:read': { roles: ['transfer-coordinator', 'auditor', 'integration'], scope: CASE_PARTIES },
  'transfer:search': { roles: ['transfer-coordinator', 'auditor', 'integration'], scope: 'any' },
  'facility:register': { roles: ['facility-officer', 'integration'], scope: ['operator'] },
  'facility:manage': { roles: ['facility-officer', 'integration'], scope: ['operator'] },
  'facility:reserve': { roles: ['facility-officer', 'transfer-coordinator', 'integration'], scope: FACILITY_STATES },
  'facility:occupancy': { roles: ['facility-officer', 'transfer-coordinator', 'auditor', 'integration'], scope: FACILITY_STATES },
  'facility:search': { roles: ['facility-officer', 'transfer-coordinator', 'auditor', 'integration'], scope: 'any' },
  // A person's custody record is written by the state that governs it (Rule 13: the receiving
  // state reports, the sending state acknowledges): the receiving state of the resource, which
  // custody resolves as the lessee under a lease and the operating state otherwise. The sending
  // state reads it (custody:read); it records nothing in a foreign prison.
  'custody:write': { roles: ['facility-officer', 'integration'], scope: ['receiving'] },
  'custody:read': { roles: ['facility-officer', 'auditor', 'integration'], scope: CASE_PARTIES },
  // The ledger's entries of a person (its case's states) or of a facility (operator, lessee):
  // relations follow the resource's kind, so a host state still sees no lessee's person.
  'audit:read': { roles: ['auditor'], scope: [...CASE_PARTIES, ...FACILITY_STATES] },
  'audit:search': { roles: ['auditor'], scope: 'any' },
  // The chain's integrity (head, verification, signed checkpoints): hashes and counts, no person's data.
  'audit:verify': { roles: ['auditor'], scope: 'any' },
  'access-log:read': { roles: ['auditor'], scope: 'any' },
  'admin:operate': { roles: ['operator'], scope: 'any' },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof POLICY;
export const ACTIONS = Object.keys(POLICY) as Action[];

export type Decision = { allow: true } | { allow: false; reason: 'ROLE' | 'JURISDICTION' | 'UNKNOWN_ACTION' };

/** The relations of `state` to a resource (several when a state is both sending and receiving). */
export function relationsOf(state: string, resource: ResourceJurisdiction): Relation[] {
  const relations: Relation[] = [];
  if (resource.kind === 'inmate' || resource.kind === 'case') {
    if (resource.sendingState === state) relations.push('sending');
    if (resource.receivingState === state) relations.push('receiving');
  } else if (resource.kind === 'facility') {
    if (resource.operatorState === state) relations.push('operator');
    if (resource.lesseeState === state) relations.push('lessee');
  }
  return relations;
}

/**
 * The decision for one cell of the matrix: role × action × the resource's states. A role the
 * table does not grant is refused (`ROLE`); a granted role acting outside its state's
 * resources is refused (`JURISDICTION`). An action the table does not know is refused.
 */
export function decide(principal: Pick<Principal, 'roles' | 'state'>, action: string, resource: ResourceJurisdiction = { kind: 'global' }): Decision {
  const rule: Rule | undefined = Object.prototype.hasOwnProperty.call(POLICY, action) ? POLICY[action as Action] : undefined;
  if (!rule) return { allow: false, reason: 'UNKNOWN_ACTION' };
  if (!principal.roles.some((role) => rule.roles.includes(role))) return { allow: false, reason: 'ROLE' };
  if (rule.scope === 'any') return { allow: true };
  const scope = rule.scope;
  const relations = relationsOf(principal.state, resource);
  return relations.some((relation) => scope.includes(relation)) ? { allow: true } : { allow: false, reason: 'JURISDICTION' };
}

/**
 * The states whose resources a principal may list: its own. Services filter lists with it
 * (an inmate is listed when its sending or receiving state is one of these).
 */
export function visibleStates(principal: Pick<Principal, 'state'> | undefined): string[] | undefined {
  return principal ? [principal.state] : undefined;
}
