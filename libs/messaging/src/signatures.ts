import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { CompactSign, type KeyLike } from 'jose';
import type { DecodedEvent, DecodeResult, InboundMessage, MessageDecoder } from './codec';

/** The Kafka header that carries a command's detached JWS (RFC 7515 appendix F). */
export const SIGNATURE_HEADER = 'ce_signature';

/** Protected-header parameters that bind a signature to one command (its id and type). */
const COMMAND_ID = 'custody_cid';
const COMMAND_TYPE = 'custody_type';

/** A ministry's command-signing key: the state is this entry's, never the message's. */
export interface SignerKey {
  kid: string;
  state: string;
  /** SPKI PEM of an RS256 or ES256 public key. */
  publicKeyPem: string;
}

/**
 * Whether the signer's state may issue a command, from what the message itself says; undefined
 * when the message alone cannot tell (the decider then checks the authenticated actor state).
 * E.g. a registration is the sending state's: `RegisterInmate: (data, state) => data.sendingState === state`.
 */
export type CommandRights = Record<string, (data: Record<string, unknown>, signerState: string) => boolean | undefined>;

/**
 * Signs the value of a command message: a compact JWS with a detached payload
 * (`<header>..<signature>`), the header naming the key, the command id and type.
 */
export async function signCommand(
  value: string | Uint8Array,
  key: KeyLike,
  options: { kid: string; algorithm: 'RS256' | 'ES256'; commandId: string; commandType: string },
): Promise<string> {
  const payload = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  const jws = await new CompactSign(payload)
    .setProtectedHeader({ alg: options.algorithm, kid: options.kid, [COMMAND_ID]: options.commandId, [COMMAND_TYPE]: options.commandType })
    .sign(key);
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

export type SignatureCheck = { ok: true; signerState: string; kid: string } | { ok: false; code: 'UNAUTHORISED_ACTOR'; reason: string };

const refuse = (reason: string): SignatureCheck => ({ ok: false, code: 'UNAUTHORISED_ACTOR', reason });

/**
 * Verifies the detached JWS of a command against the configured ministry keys: the signature
 * over the exact value, the command id and type it was made for, the acting state of the
 * envelope (ce_actorstate) being the signer's, and the signer's right to issue the command.
 * Synchronous (node:crypto), so it runs inside a decoder, before any handler.
 */
export class CommandSignatureVerifier {
  private readonly keys: Map<string, { state: string; key: KeyObject }>;

  constructor(
    keys: SignerKey[],
    private readonly rights: CommandRights = {},
  ) {
    this.keys = new Map(keys.map((k) => [k.kid, { state: k.state, key: createPublicKey(k.publicKeyPem) }]));
  }

  check(message: InboundMessage, event: DecodedEvent): SignatureCheck {
    const header = text(message.headers[SIGNATURE_HEADER]);
    if (!header) return refuse(`the command carries no signature (header ${SIGNATURE_HEADER})`);
    const parts = header.split('.');
    if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2]) return refuse('the signature is not a compact JWS with a detached payload');
    let protectedHeader: Record<string, unknown>;
    try {
      protectedHeader = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      return refuse('the signature header cannot be read');
    }
    const signer = typeof protectedHeader.kid === 'string' ? this.keys.get(protectedHeader.kid) : undefined;
    if (!signer) return refuse(`the signing key ${String(protectedHeader.kid)} is not a configured ministry key`);
    const value = message.value ?? Buffer.alloc(0);
    const input = Buffer.from(`${parts[0]}.${Buffer.from(value).toString('base64url')}`);
    const signature = Buffer.from(parts[2], 'base64url');
    const algorithm = protectedHeader.alg;
    let valid = false;
    if (algorithm === 'ES256' && signer.key.asymmetricKeyType === 'ec') {
      valid = verifySignature('sha256', input, { key: signer.key, dsaEncoding: 'ieee-p1363' }, signature);
    } else if (algorithm === 'RS256' && signer.key.asymmetricKeyType === 'rsa') {
      valid = verifySignature('sha256', input, signer.key, signature);
    } else {
      return refuse(`the signature algorithm ${String(algorithm)} is not accepted for this key`);
    }
    if (!valid) return refuse('the signature does not verify over the message');
    if (protectedHeader[COMMAND_ID] !== event.id || protectedHeader[COMMAND_TYPE] !== event.type) {
      return refuse('the signature was made for another command (id or type differ)');
    }
    const actorState = (event.extensions.actor as { state?: string } | undefined)?.state;
    if (actorState !== signer.state) return refuse(`the acting state ${String(actorState)} is not the signer's state ${signer.state}`);
    const right = this.rights[event.type];
    if (right && right(event.data as Record<string, unknown>, signer.state) === false) {
      return refuse(`${signer.state} may not issue ${event.type} for this subject`);
    }
    return { ok: true, signerState: signer.state, kid: String(protectedHeader.kid) };
  }
}

/**
 * A decoder that lets through commands on `commandTopics` only with a valid signature of a
 * state that may issue them; any other is a decode failure with UNAUTHORISED_ACTOR, which the
 * consumer sets aside in the dead-letter topic before any handler runs. Other topics pass.
 */
export function signedCommandDecoder(inner: MessageDecoder, verifier: CommandSignatureVerifier, commandTopics: string[]): MessageDecoder {
  const topics = new Set(commandTopics);
  return {
    decode(message: InboundMessage): DecodeResult {
      const decoded = inner.decode(message);
      if (!decoded.ok || !topics.has(message.topic)) return decoded;
      const check = verifier.check(message, decoded.event);
      if (check.ok) return { ok: true, event: { ...decoded.event, extensions: { ...decoded.event.extensions, signer: { state: check.signerState, kid: check.kid } } } };
      return { ok: false, failure: { code: check.code, reason: check.reason } };
    },
  };
}

function text(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value : undefined;
}
