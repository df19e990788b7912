import { IsIn, IsInt, Matches, MaxLength, Min } from 'class-validator';
import { IsId, IsText } from '../common/formats';

export const SIGNATURE_ALGORITHMS = ['Ed25519'] as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/**
 * A signed checkpoint of the audit ledger's head (topic `custody.audit.checkpoints`, key `ledger`):
 * an exported history verifies offline against it.
 */
export class LedgerCheckpointSignedPayload {
  @IsId()
  checkpointId!: string;

  /** Number of entries covered (entries 0 .. entryCount-1). */
  @IsInt()
  @Min(0)
  entryCount!: number;

  /** SHA-256 of the last entry, hex. */
  @Matches(/^[0-9a-f]{64}$/, { message: '$property must be a SHA-256 digest in lower-case hex' })
  headHash!: string;

  /** Root of the Merkle tree over the entries, hex. */
  @Matches(/^[0-9a-f]{64}$/, { message: '$property must be a SHA-256 digest in lower-case hex' })
  merkleRoot!: string;

  @IsIn(SIGNATURE_ALGORITHMS)
  algorithm!: SignatureAlgorithm;

  /** Which configured key signed it. */
  @IsText(128)
  keyId!: string;

  /** Signature over the canonical JSON of the other fields, base64. */
  @Matches(/^[A-Za-z0-9+/]+={0,2}$/, { message: '$property must be base64' })
  @MaxLength(512)
  signature!: string;
}
