import { resourceIdOf } from './resource-id';

describe('resourceIdOf', () => {
  it('answers the route id when it is a UUID, as written', () => {
    expect(resourceIdOf({ params: { id: '5E0C1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B' } })).toBe('5E0C1A2B-3C4D-4E5F-8A9B-0C1D2E3F4A5B');
  });

  it('answers undefined for a missing id or one that is not a UUID', () => {
    expect(resourceIdOf({ params: {} })).toBeUndefined();
    expect(resourceIdOf({ params: { id: 'abc' } })).toBeUndefined();
    expect(resourceIdOf({ params: { id: '5e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b-x' } })).toBeUndefined();
  });

  it('answers the first of the named parameters the route has (a command route names its id as the body does)', () => {
    const id = '5e0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    expect(resourceIdOf({ params: { transferId: id } }, 'transferId', 'id')).toBe(id);
    expect(resourceIdOf({ params: { id } }, 'transferId', 'id')).toBe(id);
    expect(resourceIdOf({ params: { transferId: 'abc', id } }, 'transferId', 'id')).toBeUndefined();
    expect(resourceIdOf({ params: { transferId: id } })).toBeUndefined();
  });
});
