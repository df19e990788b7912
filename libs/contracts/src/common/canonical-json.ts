/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): object members sorted by their names' UTF-16
 * code units, no whitespace, numbers as ECMAScript writes them, strings escaped as
 * JSON.stringify does. Two parties holding the same JSON value produce the same bytes, so a
 * hash over them can be recomputed by anyone.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}

/** Raised for what I-JSON (RFC 7493) forbids: non-finite numbers, lone surrogates, undefined. */
export class NotCanonicalisableError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path || '(root)'}: ${problem}`);
    this.name = 'NotCanonicalisableError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NotCanonicalisableError(path, 'numbers must be finite');
      // ECMAScript's Number-to-String is the serialisation RFC 8785 prescribes (-0 becomes 0).
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new NotCanonicalisableError(path, 'strings must be valid Unicode');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
      const source = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
      if (source !== value) return write(source, path);
      const names = Object.keys(value as object)
        .filter((name) => (value as Record<string, unknown>)[name] !== undefined)
        .sort(compareCodeUnits);
      const members = names.map((name) => {
        if (LONE_SURROGATE.test(name)) throw new NotCanonicalisableError(path, 'member names must be valid Unicode');
        return `${JSON.stringify(name)}:${write((value as Record<string, unknown>)[name], `${path}.${name}`)}`;
      });
      return `{${members.join(',')}}`;
    }
    default:
      throw new NotCanonicalisableError(path, `a ${typeof value} is not JSON`);
  }
}

/** RFC 8785 §3.2.3: compare names as arrays of UTF-16 code units (not code points, not locale). */
function compareCodeUnits(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = a.charCodeAt(i) - b.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}
