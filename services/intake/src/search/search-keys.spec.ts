import { randomBytes } from 'node:crypto';
import { blindIndex } from '@custody/personal-data';
import { normaliseName, searchKey } from './search-keys';

describe('the search keys of names (docs/personal-data.md, "The search read model")', () => {
  const key = randomBytes(32);
  const index = (value: string) => blindIndex(key, value);

  it('normalises case, accents and white space, and nothing else', () => {
    expect(normaliseName('  Çelë \t HOXHA ')).toBe('cele hoxha');
    expect(normaliseName('Straße')).toBe('strasse');
    expect(normaliseName('Ｈｏｘｈａ')).toBe('hoxha');
    expect(normaliseName('Hoxha-Daci')).not.toBe(normaliseName('Hoxha Daci'));
    expect(normaliseName("O'Brien")).toBe("o'brien");
  });

  it('gives one key for the spellings of one name, another for another name or another field', () => {
    const hoxha = searchKey('familyName', 'Hoxha', index);
    expect(searchKey('familyName', 'hoxha', index)).toBe(hoxha);
    expect(searchKey('familyName', ' HÖXHA ', index)).toBe(hoxha);
    expect(searchKey('familyName', 'Hoxhaj', index)).not.toBe(hoxha);
    expect(searchKey('givenNames', 'Hoxha', index)).not.toBe(hoxha);
  });

  it('is a keyed hash: neither the name nor a plain hash of it, and another key gives another index', () => {
    const hoxha = searchKey('familyName', 'Hoxha', index)!;
    expect(hoxha).toMatch(/^[0-9a-f]{64}$/);
    expect(hoxha).not.toContain('hoxha');
    expect(searchKey('familyName', 'Hoxha', (value) => blindIndex(randomBytes(32), value))).not.toBe(hoxha);
  });

  it('has no key for a name that is only white space or marks', () => {
    expect(searchKey('familyName', ' \u0301 ', index)).toBeUndefined();
  });
});
