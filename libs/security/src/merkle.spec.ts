import { createHash, randomBytes } from 'node:crypto';
import { merkleLeafHash, merkleLeafHashHex, merkleLeafHashOfHex, merkleNodeHash, merkleNodeHashHex } from './merkle';

// RFC 6962 §2.1 as written, one hash object per node: what the fast paths must give.
const reference = (prefix: number, ...parts: Buffer[]) => {
  const h = createHash('sha256').update(Buffer.from([prefix]));
  for (const part of parts) h.update(part);
  return h.digest();
};

describe('Merkle hashes (RFC 6962 §2.1)', () => {
  it('an interior node is SHA-256(0x01 ‖ left ‖ right), for hashes of 32 bytes and for other lengths', () => {
    for (let i = 0; i < 200; i++) {
      const [left, right] = [randomBytes(32), randomBytes(32)];
      expect(merkleNodeHash(left, right).equals(reference(0x01, left, right))).toBe(true);
    }
    const [short, long] = [randomBytes(20), randomBytes(48)];
    expect(merkleNodeHash(short, long).equals(reference(0x01, short, long))).toBe(true);
  });

  it('a node computed after another does not carry any of its input (each result is a buffer of its own)', () => {
    const [a, b, c, d] = [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)];
    const first = merkleNodeHash(a, b);
    const copy = Buffer.from(first);
    const second = merkleNodeHash(c, d);
    expect(first.equals(copy)).toBe(true);
    expect(second.equals(reference(0x01, c, d))).toBe(true);
    expect(merkleNodeHash(first, second).equals(reference(0x01, copy, second))).toBe(true);
  });

  it('the leaf of a hash given in hex is SHA-256(0x00 ‖ its bytes), as merkleLeafHash of the bytes', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(32);
      expect(merkleLeafHashOfHex(bytes.toString('hex')).equals(reference(0x00, bytes))).toBe(true);
      expect(merkleLeafHashOfHex(bytes.toString('hex').toUpperCase()).equals(merkleLeafHash(bytes))).toBe(true);
    }
  });

  it('a hex string that is not a SHA-256 hash gets what its bytes give, as before (never the previous leaf\'s bytes)', () => {
    merkleLeafHashOfHex(randomBytes(32).toString('hex'));
    for (const odd of ['', 'abcd', 'zz'.repeat(32), randomBytes(40).toString('hex')]) {
      expect(merkleLeafHashOfHex(odd).equals(merkleLeafHash(Buffer.from(odd, 'hex')))).toBe(true);
    }
  });

  it('the hex forms give the same hashes as the buffer forms, for SHA-256 hex and for any other string', () => {
    for (let i = 0; i < 200; i++) {
      const [left, right] = [randomBytes(32), randomBytes(32)];
      expect(merkleNodeHashHex(left.toString('hex'), right.toString('hex'))).toBe(reference(0x01, left, right).toString('hex'));
      expect(merkleNodeHashHex(left.toString('hex').toUpperCase(), right.toString('hex'))).toBe(reference(0x01, left, right).toString('hex'));
      expect(merkleLeafHashHex(left.toString('hex'))).toBe(reference(0x00, left).toString('hex'));
    }
    const valid = randomBytes(32).toString('hex');
    for (const odd of ['', 'abcd', 'zz'.repeat(32), `${valid.slice(0, 62)}zz`, randomBytes(40).toString('hex')]) {
      merkleLeafHashHex(valid);
      expect(merkleLeafHashHex(odd)).toBe(merkleLeafHash(Buffer.from(odd, 'hex')).toString('hex'));
      merkleNodeHashHex(valid, valid);
      expect(merkleNodeHashHex(odd, valid)).toBe(merkleNodeHash(Buffer.from(odd, 'hex'), Buffer.from(valid, 'hex')).toString('hex'));
      expect(merkleNodeHashHex(valid, odd)).toBe(merkleNodeHash(Buffer.from(valid, 'hex'), Buffer.from(odd, 'hex')).toString('hex'));
    }
  });
});
