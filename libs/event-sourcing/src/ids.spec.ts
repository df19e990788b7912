import { commandScope, deterministicId, eventIds, messageScope } from './ids';

describe('deterministic ids', () => {
  it('gives the same UUID for the same name, and another for another name', () => {
    expect(deterministicId('command-1/0')).toBe(deterministicId('command-1/0'));
    expect(deterministicId('command-1/0')).not.toBe(deterministicId('command-1/1'));
  });

  it('is a version 5, RFC 4122 variant UUID', () => {
    expect(deterministicId('command-1/0')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is the SHA-1 name-based id of the name (stable across releases)', () => {
    expect(deterministicId('hello')).toBe('aaf4c61d-dcc5-58a2-9abe-de0f3b482cd9');
  });
});

describe('namespaced event ids (docs/adr/0014-namespaced-event-ids.md)', () => {
  const command = commandScope('cmd-1', { state: 'BE' });

  it('derives the same ids from the same service, cause and index (a resend writes nothing twice)', () => {
    expect(eventIds('intake', command)(0)).toBe(eventIds('intake', commandScope('cmd-1', { state: 'BE' }))(0));
    expect(eventIds('intake', command)(0)).not.toBe(eventIds('intake', command)(1));
    expect(eventIds('intake', command)(0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('derives other ids in another service, for another acting state, or for an event cause with the same id', () => {
    const id = eventIds('intake', command)(0);
    expect(eventIds('transfer', command)(0)).not.toBe(id);
    expect(eventIds('intake', commandScope('cmd-1', { state: 'NL' }))(0)).not.toBe(id);
    expect(eventIds('intake', commandScope('cmd-1', { system: 'intake-retention-job' }))(0)).not.toBe(id);
    // A job acting for a state never shares that state's ministry's ids.
    expect(eventIds('intake', commandScope('cmd-1', { state: 'BE', system: 'intake-retention-job' }))(0)).not.toBe(id);
    expect(eventIds('intake', messageScope({ id: 'cmd-1', source: '/custody/transfer' }))(0)).not.toBe(id);
    expect(eventIds('intake', messageScope({ id: 'cmd-1', source: '/custody/custody' }))(0)).not.toBe(eventIds('intake', messageScope({ id: 'cmd-1', source: '/custody/transfer' }))(0));
  });

  it('never derives an id of the unnamespaced scheme, whatever command id is chosen', () => {
    // The old scheme: deterministicId(`${commandId}/${index}`). A sender who picks the command id
    // picked the name; now the name always carries the service and the scope, JSON-encoded.
    const target = eventIds('intake', commandScope('retention-of-person-1', { state: 'BE', system: 'intake-retention-job' }))(0);
    for (const chosen of ['retention-of-person-1', target, `${target}/0`, '["event","intake","command:[\\"BE\\",\\"intake-retention-job\\"]","retention-of-person-1","0"]']) {
      expect(eventIds('transfer', commandScope(chosen, { state: 'NL' }))(0)).not.toBe(target);
      expect(eventIds('intake', commandScope(chosen, { state: 'NL' }))(0)).not.toBe(target);
      expect(deterministicId(`${chosen}/0`)).not.toBe(target);
    }
  });

  it('keeps separators inside a part from making one scope read as another', () => {
    expect(eventIds('a', { by: 'b","c', cause: 'd' })(0)).not.toBe(eventIds('a', { by: 'b', cause: 'c","d' })(0));
  });

  it('refuses an empty service name', () => {
    expect(() => eventIds('', command)).toThrow(/service name/);
  });
});
