import fc from 'fast-check';
import { canonicalJson, NotCanonicalisableError } from './canonical-json';

describe('RFC 8785 canonical JSON', () => {
  it('sorts members by UTF-16 code units, as the RFC 8785 §3.2.3 example does', () => {
    // The sorting example of RFC 8785 §3.2.3 (names written with escapes).
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = Object.values(JSON.parse(canonicalJson(input)) as Record<string, string>);
    const names = canonicalJson(input).match(/"([^"]|\\")*":/g)!.map((n) => JSON.parse(n.slice(0, -1)) as string);
    expect(names).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(order).toHaveLength(7);
  });

  it('writes numbers as ECMAScript does (RFC 8785 appendix B samples)', () => {
    const samples: Array<[number, string]> = [
      [0, '0'], [-0, '0'], [1e21, '1e+21'], [1e-7, '1e-7'], [333333333.3333332, '333333333.3333332'],
      [9007199254740992, '9007199254740992'], [5e-324, '5e-324'], [-1.7976931348623157e308, '-1.7976931348623157e+308'],
      [0.000001, '0.000001'], [100, '100'],
    ];
    for (const [value, text] of samples) expect(canonicalJson(value)).toBe(text);
  });

  it('writes the RFC 8785 §3.2.2 example without whitespace, escaping as JSON.stringify does', () => {
    const value = { numbers: [333333333.3333333, 1e30, 4.5, 2e-3, 0.000000000000000000000000001], string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"/', literals: [null, true, false] };
    expect(canonicalJson(value)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('drops undefined members and refuses what JSON cannot hold', () => {
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(NotCanonicalisableError);
    expect(() => canonicalJson({ a: '\ud800' })).toThrow(NotCanonicalisableError);
  });

  it('is stable: canonicalising a parsed canonical text gives the same text, whatever the member order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const shuffled = JSON.parse(JSON.stringify(value, (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v));
        expect(canonicalJson(shuffled)).toBe(text);
      }),
    );
  });
});
