import fc from 'fast-check';
import { ACTIONS, decide, POLICY, relationsOf, ROLES, visibleStates, type ResourceJurisdiction } from './policy';

const belgianCase: ResourceJurisdiction = { kind: 'case', sendingState: 'BE', receivingState: 'AL' };
const leasedFacility: ResourceJurisdiction = { kind: 'facility', operatorState: 'XK', lesseeState: 'DK' };
const danishInmateInKosovo: ResourceJurisdiction = { kind: 'inmate', sendingState: 'DK', receivingState: 'DK' };

describe('authorisation policy', () => {
  it('lets the sending and the receiving state see a case, and no third state', () => {
    expect(decide({ roles: ['transfer-coordinator'], state: 'BE' }, 'transfer:read', belgianCase)).toEqual({ allow: true });
    expect(decide({ roles: ['transfer-coordinator'], state: 'AL' }, 'transfer:read', belgianCase)).toEqual({ allow: true });
    expect(decide({ roles: ['transfer-coordinator'], state: 'NL' }, 'transfer:read', belgianCase)).toEqual({ allow: false, reason: 'JURISDICTION' });
  });

  it('lets only the receiving state record its decision, only the sending state request', () => {
    expect(decide({ roles: ['transfer-coordinator'], state: 'AL' }, 'transfer:decide', belgianCase).allow).toBe(true);
    expect(decide({ roles: ['transfer-coordinator'], state: 'BE' }, 'transfer:decide', belgianCase)).toEqual({ allow: false, reason: 'JURISDICTION' });
    expect(decide({ roles: ['transfer-coordinator'], state: 'BE' }, 'transfer:request', belgianCase).allow).toBe(true);
    expect(decide({ roles: ['transfer-coordinator'], state: 'AL' }, 'transfer:request', belgianCase).allow).toBe(false);
  });

  it('lets a host state see its leased facility\'s occupancy but not the lessee\'s case files', () => {
    expect(decide({ roles: ['facility-officer'], state: 'XK' }, 'facility:occupancy', leasedFacility).allow).toBe(true);
    expect(decide({ roles: ['facility-officer'], state: 'DK' }, 'facility:occupancy', leasedFacility).allow).toBe(true);
    expect(decide({ roles: ['facility-officer'], state: 'XK' }, 'custody:read', danishInmateInKosovo)).toEqual({ allow: false, reason: 'JURISDICTION' });
    expect(decide({ roles: ['facility-officer'], state: 'XK' }, 'inmate:read', danishInmateInKosovo).allow).toBe(false);
    expect(decide({ roles: ['facility-officer'], state: 'DK' }, 'custody:read', danishInmateInKosovo).allow).toBe(true);
    expect(decide({ roles: ['facility-officer'], state: 'DK' }, 'facility:manage', leasedFacility).allow).toBe(false);
    expect(decide({ roles: ['facility-officer'], state: 'XK' }, 'facility:manage', leasedFacility).allow).toBe(true);
  });

  it('lets the roles that see occupancy list facilities (the service filters the list to the caller\'s states)', () => {
    expect(decide({ roles: ['auditor'], state: 'NL' }, 'facility:search')).toEqual({ allow: true });
    expect(decide({ roles: ['transfer-coordinator'], state: 'BE' }, 'facility:search').allow).toBe(true);
    expect(decide({ roles: ['intake-officer'], state: 'XK' }, 'facility:search')).toEqual({ allow: false, reason: 'ROLE' });
    expect(decide({ roles: ['operator'], state: 'XK' }, 'facility:search')).toEqual({ allow: false, reason: 'ROLE' });
  });

  it('lets the auditors of a leased facility\'s two states read its ledger entries, and only the lessee\'s auditor its persons\'', () => {
    expect(decide({ roles: ['auditor'], state: 'XK' }, 'audit:read', leasedFacility).allow).toBe(true);
    expect(decide({ roles: ['auditor'], state: 'DK' }, 'audit:read', leasedFacility).allow).toBe(true);
    expect(decide({ roles: ['auditor'], state: 'NL' }, 'audit:read', leasedFacility)).toEqual({ allow: false, reason: 'JURISDICTION' });
    expect(decide({ roles: ['auditor'], state: 'XK' }, 'audit:read', danishInmateInKosovo)).toEqual({ allow: false, reason: 'JURISDICTION' });
    expect(decide({ roles: ['auditor'], state: 'DK' }, 'audit:read', danishInmateInKosovo).allow).toBe(true);
    expect(decide({ roles: ['auditor'], state: 'NL' }, 'audit:verify').allow).toBe(true);
    expect(decide({ roles: ['facility-officer'], state: 'XK' }, 'audit:read', leasedFacility)).toEqual({ allow: false, reason: 'ROLE' });
  });

  it('refuses roles the table does not grant, even in the own state', () => {
    expect(decide({ roles: ['auditor'], state: 'BE' }, 'inmate:write', belgianCase)).toEqual({ allow: false, reason: 'ROLE' });
    expect(decide({ roles: ['intake-officer'], state: 'BE' }, 'access-log:read')).toEqual({ allow: false, reason: 'ROLE' });
    expect(decide({ roles: [], state: 'BE' }, 'inmate:read', belgianCase)).toEqual({ allow: false, reason: 'ROLE' });
  });

  it('lets only the sending state erase a person\'s data or place a legal hold; auditors and operators read the destruction log', () => {
    const albanianInBelgium: ResourceJurisdiction = { kind: 'inmate', sendingState: 'BE', receivingState: 'AL' };
    for (const action of ['inmate:erase', 'inmate:hold']) {
      expect(decide({ roles: ['intake-officer'], state: 'BE' }, action, albanianInBelgium)).toEqual({ allow: true });
      expect(decide({ roles: ['integration'], state: 'BE' }, action, albanianInBelgium)).toEqual({ allow: true });
      expect(decide({ roles: ['intake-officer'], state: 'AL' }, action, albanianInBelgium)).toEqual({ allow: false, reason: 'JURISDICTION' });
      expect(decide({ roles: ['auditor', 'transfer-coordinator', 'operator'], state: 'BE' }, action, albanianInBelgium)).toEqual({ allow: false, reason: 'ROLE' });
    }
    expect(decide({ roles: ['auditor'], state: 'BE' }, 'personal-data:audit')).toEqual({ allow: true });
    expect(decide({ roles: ['operator'], state: 'BE' }, 'personal-data:audit')).toEqual({ allow: true });
    expect(decide({ roles: ['intake-officer'], state: 'BE' }, 'personal-data:audit')).toEqual({ allow: false, reason: 'ROLE' });
  });

  it('refuses an action the table does not know', () => {
    expect(decide({ roles: [...ROLES], state: 'BE' }, 'inmate:delete', belgianCase)).toEqual({ allow: false, reason: 'UNKNOWN_ACTION' });
    expect(decide({ roles: [...ROLES], state: 'BE' }, 'toString', belgianCase)).toEqual({ allow: false, reason: 'UNKNOWN_ACTION' });
  });

  it('never lets a state act on a resource of other states (property)', () => {
    const state = fc.constantFrom('BE', 'AL', 'XK', 'DK', 'NL', 'NO');
    fc.assert(
      fc.property(fc.subarray([...ROLES], { minLength: 1 }), fc.constantFrom(...ACTIONS), state, state, state, (roles, action, mine, sending, receiving) => {
        const resource: ResourceJurisdiction = { kind: 'case', sendingState: sending, receivingState: receiving };
        const decision = decide({ roles, state: mine }, action, resource);
        if (decision.allow && POLICY[action].scope !== 'any') expect([sending, receiving]).toContain(mine);
        if (decision.allow) expect(roles.some((r) => (POLICY[action].roles as readonly string[]).includes(r))).toBe(true);
      }),
    );
  });

  it('names every relation a state has to a resource', () => {
    expect(relationsOf('DK', { kind: 'inmate', sendingState: 'DK', receivingState: 'DK' })).toEqual(['sending', 'receiving']);
    expect(relationsOf('XK', leasedFacility)).toEqual(['operator']);
    expect(relationsOf('BE', { kind: 'global' })).toEqual([]);
    expect(visibleStates({ state: 'BE' })).toEqual(['BE']);
    expect(visibleStates(undefined)).toBeUndefined();
  });
});
