import { deterministicId } from './ids';

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
