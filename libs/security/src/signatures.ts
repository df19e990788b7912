import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { CompactSign, type KeyLike } from 'jose';
import { COMMAND_REFUSED, refuseInDecoder, type CommandRefusal, type DecodedEvent, type DecodeResult, type InboundMessage, type MessageDecoder } from '@custody/messaging';

/** The Kafka header that carries a command's detached JWS (RFC 7515 appendix F). */
export const SIGNATURE_HEADER = 'ce_signature';

/** Protected-header parameters that bind a signature to one command (its id and type). */
const COMMAND_ID = 'custody_cid';
const COMMAND_TYPE = 'custody_type';

/**
 * The form of command signature this version makes (the protected header's `typ`): besides the
 * value, the command id and type, it covers the acting organisation and officer and the
 * correlation id, each a protected-header parameter that must equal its header (docs/security.md,
 * "Kafka: signed commands"). A signature without `typ` is of the first form, which covers the
 * value, the id and the type only: refused unless the verifier accepts it for the transition
 * (COMMAND_SIGNATURES_V1=accept).
 */
export const COMMAND_SIGNATURE_FORM = 'custody-command/2';

/** The headers the second form covers, each by the protected-header parameter of the same name. */
export const SIGNED_ACTOR_HEADERS = {
  ce_actororganisation: 'custody_actororganisation',
  ce_actorofficer: 'custody_actorofficer',
  ce_correlationid: 'custody_correlationid',
} as const;

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

/** What a command signature is made for: the command, and the headers of its envelope it covers. */
export interface CommandSigning {
  kid: string;
  algorithm: 'RS256' | 'ES256';
  /** ce_id. */
  commandId: string;
  /** ce_type. */
  commandType: string;
  /** ce_actororganisation. */
  actorOrganisation: string;
  /** ce_actorofficer; absent when no officer acts (the header must then be absent too). */
  actorOfficer?: string;
  /** ce_correlationid. */
  correlationId: string;
}

/** The fields a signature covers, read from a command message's headers (as the contract writes them). */
export function signedFieldsOf(headers: Record<string, string | undefined>): Omit<CommandSigning, 'kid' | 'algorithm'> {
  const required = (name: string): string => {
    const value = headers[name];
    if (typeof value !== 'string') throw new TypeError(`the command has no ${name} header to sign`);
    return value;
  };
  return {
    commandId: required('ce_id'),
    commandType: required('ce_type'),
    actorOrganisation: required('ce_actororganisation'),
    ...(typeof headers.ce_actorofficer === 'string' ? { actorOfficer: headers.ce_actorofficer } : {}),
    correlationId: required('ce_correlationid'),
  };
}

/**
 * Signs the value of a command message: a compact JWS with a detached payload
 * (`<header>..<signature>`), the protected header of form {@link COMMAND_SIGNATURE_FORM} naming
 * the key, the command id and type, the acting organisation and officer and the correlation id.
 */
export async function signCommand(value: string | Uint8Array, key: KeyLike, options: CommandSigning): Promise<string> {
  return detachedJws(value, key, {
    alg: options.algorithm,
    kid: options.kid,
    typ: COMMAND_SIGNATURE_FORM,
    [COMMAND_ID]: options.commandId,
    [COMMAND_TYPE]: options.commandType,
    [SIGNED_ACTOR_HEADERS.ce_actororganisation]: options.actorOrganisation,
    ...(options.actorOfficer !== undefined ? { [SIGNED_ACTOR_HEADERS.ce_actorofficer]: options.actorOfficer } : {}),
    [SIGNED_ACTOR_HEADERS.ce_correlationid]: options.correlationId,
  });
}

/**
 * A signature of the first form (no `typ`: the value, the command id and type only), as ministries
 * made them before {@link COMMAND_SIGNATURE_FORM}: for tests of the transition.
 */
export async function signCommandFirstForm(
  value: string | Uint8Array,
  key: KeyLike,
  options: Pick<CommandSigning, 'kid' | 'algorithm' | 'commandId' | 'commandType'>,
): Promise<string> {
  return detachedJws(value, key, { alg: options.algorithm, kid: options.kid, [COMMAND_ID]: options.commandId, [COMMAND_TYPE]: options.commandType });
}

async function detachedJws(value: string | Uint8Array, key: KeyLike, protectedHeader: { alg: string } & Record<string, unknown>): Promise<string> {
  const payload = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  const jws = await new CompactSign(payload).setProtectedHeader(protectedHeader).sign(key);
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

/**
 * The outcome of a check. Refusal codes (the contracts' catalogue): SIGNATURE_MISSING (no
 * signature), SIGNATURE_INVALID (unreadable, an unknown key, a wrong algorithm, a signature that
 * does not verify, was made for another command, organisation, officer or correlation id, or is
 * of the first form where that is not accepted), UNAUTHORISED_ACTOR (a valid signature of a
 * state other than the acting one, or of a state without the right). `field` names what is wrong.
 */
export type SignatureCheck =
  | { ok: true; signerState: string; kid: string }
  | { ok: false; code: SignatureRefusalCode; reason: string; field: string; signerState?: string };

export type SignatureRefusalCode = 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'UNAUTHORISED_ACTOR';

/** What a signature is checked against: the command's id, type and acting state, and its body when it could be read. */
export interface SignedCommand {
  id: string;
  type: string;
  actorState?: string;
  /**
   * The values of the covered headers as the service reads them from the decoded envelope (absent:
   * no such header); when not given, the headers are read from the message, their names' case
   * ignored, and one given more than once matches no signature.
   */
  covered?: { [header in keyof typeof SIGNED_ACTOR_HEADERS]?: string };
  /** The validated body; absent when the body broke the contract (the right is then not asked: the command is refused anyway). */
  data?: Record<string, unknown>;
}

const missing = (reason: string): SignatureCheck => ({ ok: false, code: 'SIGNATURE_MISSING', reason, field: SIGNATURE_HEADER });
const invalid = (reason: string, field: string = SIGNATURE_HEADER): SignatureCheck => ({ ok: false, code: 'SIGNATURE_INVALID', reason, field });
const unauthorised = (reason: string, signerState: string): SignatureCheck => ({ ok: false, code: 'UNAUTHORISED_ACTOR', reason, field: 'ce_actorstate', signerState });

/** A ministry's public key as the verifier holds it: the state is the configuration's, never the key's. */
export interface HeldSignerKey {
  state: string;
  key: KeyObject;
}

/**
 * The ministries' command-signing keys by key id: those given in the configuration, and the sets
 * fetched from ministries' JWKS URLs ({@link JwksSignerKeys}), which are replaced whole at each
 * fetch. A key id names one key of one state: a fetched key whose id is already another source's
 * is not taken. `onUnknown` is told of a key id nobody holds, and may add to the refusal's reason.
 */
export class SignerKeyring {
  private readonly fixed: Map<string, HeldSignerKey>;
  private readonly fetched = new Map<string, Map<string, HeldSignerKey>>();
  onUnknown?: (kid: string) => string | undefined;

  constructor(keys: SignerKey[] = []) {
    this.fixed = new Map(keys.map((k) => [k.kid, { state: k.state, key: createPublicKey(k.publicKeyPem) }]));
  }

  get(kid: string): HeldSignerKey | undefined {
    const fixed = this.fixed.get(kid);
    if (fixed) return fixed;
    for (const keys of this.fetched.values()) {
      const key = keys.get(kid);
      if (key) return key;
    }
    return undefined;
  }

  /** How many keys the ring holds. */
  get size(): number {
    return this.fixed.size + [...this.fetched.values()].reduce((n, keys) => n + keys.size, 0);
  }

  /**
   * Replaces the keys of one source (a JWKS URL) with `keys`, all of `state`. Returns the ids not
   * taken because another source (or the configuration) already names them.
   */
  replace(source: string, state: string, keys: Array<{ kid: string; key: KeyObject }>): string[] {
    const taken = new Map<string, HeldSignerKey>();
    const refused: string[] = [];
    for (const { kid, key } of keys) {
      const elsewhere = this.fixed.has(kid) || [...this.fetched].some(([other, held]) => other !== source && held.has(kid));
      if (elsewhere || taken.has(kid)) refused.push(kid);
      else taken.set(kid, { state, key });
    }
    this.fetched.set(source, taken);
    return refused;
  }

  /** The reason to give for a key id nobody holds. */
  unknown(kid: string): string {
    return `the signing key ${kid} is not a configured ministry key${this.onUnknown?.(kid) ?? ''}`;
  }
}

export interface CommandSignatureVerifierOptions {
  /**
   * Accept signatures of the first form (no `typ`), which do not cover the acting organisation and
   * officer nor the correlation id: only for the transition while ministries move to
   * {@link COMMAND_SIGNATURE_FORM} (COMMAND_SIGNATURES_V1=accept; docs/security.md).
   */
  acceptFirstForm?: boolean;
}

/**
 * Verifies the detached JWS of a command against the configured ministry keys: the signature
 * over the exact value, the command id and type it was made for, the acting organisation and
 * officer and the correlation id it was made for (each equal to its header), the acting state of
 * the envelope (ce_actorstate) being the signer's, and the signer's right to issue the command.
 * Synchronous (node:crypto), so it runs inside a decoder, before any handler.
 */
export class CommandSignatureVerifier {
  private readonly keys: SignerKeyring;

  constructor(
    keys: SignerKey[] | SignerKeyring,
    private readonly rights: CommandRights = {},
    private readonly options: CommandSignatureVerifierOptions = {},
  ) {
    this.keys = keys instanceof SignerKeyring ? keys : new SignerKeyring(keys);
  }

  check(message: InboundMessage, command: SignedCommand): SignatureCheck {
    const header = text(message.headers[SIGNATURE_HEADER]);
    if (!header) return missing(`the command carries no signature (header ${SIGNATURE_HEADER})`);
    const parts = header.split('.');
    if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2]) return invalid('the signature is not a compact JWS with a detached payload');
    let protectedHeader: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      // JSON `null`, a number or an array decode too: a protected header is a JSON object (RFC 7515 §4).
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalid('the signature header is not a JSON object');
      protectedHeader = parsed as Record<string, unknown>;
    } catch {
      return invalid('the signature header cannot be read');
    }
    const signer = typeof protectedHeader.kid === 'string' ? this.keys.get(protectedHeader.kid) : undefined;
    if (!signer) return invalid(typeof protectedHeader.kid === 'string' ? this.keys.unknown(protectedHeader.kid) : 'the signature names no key (kid)');
    const value = message.value ?? Buffer.alloc(0);
    const input = Buffer.from(`${parts[0]}.${Buffer.from(value).toString('base64url')}`);
    const signature = Buffer.from(parts[2], 'base64url');
    const algorithm = protectedHeader.alg;
    let valid = false;
    try {
      if (algorithm === 'ES256' && signer.key.asymmetricKeyType === 'ec') {
        valid = verifySignature('sha256', input, { key: signer.key, dsaEncoding: 'ieee-p1363' }, signature);
      } else if (algorithm === 'RS256' && signer.key.asymmetricKeyType === 'rsa') {
        valid = verifySignature('sha256', input, signer.key, signature);
      } else {
        return invalid(`the signature algorithm ${typeof algorithm === 'string' ? algorithm : JSON.stringify(algorithm)} is not accepted for this key`);
      }
    } catch {
      // node:crypto throws on some malformed signatures instead of answering false.
      return invalid('the signature cannot be checked (malformed signature bytes)');
    }
    if (!valid) return invalid('the signature does not verify over the message');
    if (protectedHeader[COMMAND_ID] !== command.id || protectedHeader[COMMAND_TYPE] !== command.type) {
      return invalid('the signature was made for another command (id or type differ)');
    }
    if (protectedHeader.typ === undefined) {
      if (!this.options.acceptFirstForm) {
        return invalid(
          `the signature is of the first form, which does not cover ${Object.keys(SIGNED_ACTOR_HEADERS).join(', ')} and is no longer accepted: sign in form ${COMMAND_SIGNATURE_FORM}`,
        );
      }
    } else if (protectedHeader.typ !== COMMAND_SIGNATURE_FORM) {
      return invalid(`the signature form ${JSON.stringify(protectedHeader.typ)} is not known (expected ${COMMAND_SIGNATURE_FORM})`);
    } else {
      for (const [header, parameter] of Object.entries(SIGNED_ACTOR_HEADERS) as Array<[keyof typeof SIGNED_ACTOR_HEADERS, string]>) {
        // What the service takes from the message (the decoded envelope), else the header as the contract's reader reads it.
        const sent = command.covered ? command.covered[header] : headerValue(message.headers, header);
        if (protectedHeader[parameter] !== sent) {
          return invalid(`the signature was made for another ${header} than the message's (the header was changed, added or removed)`, header);
        }
      }
    }
    if (command.actorState !== signer.state) {
      return unauthorised(`the acting state ${String(command.actorState)} is not the signer's state ${signer.state}`, signer.state);
    }
    const right = this.rights[command.type];
    if (command.data && right && right(command.data, signer.state) === false) {
      return unauthorised(`${signer.state} may not issue ${command.type} for this subject`, signer.state);
    }
    return { ok: true, signerState: signer.state, kid: String(protectedHeader.kid) };
  }
}

/**
 * A decoder that lets through commands on `commandTopics` only with a valid signature of a
 * state that may issue them, naming the signer in `extensions.signer` ({ state, kid }) for the
 * rights that depend on stored state. Any other command is refused before any handler: set aside
 * in the dead-letter topic with its code and reason, and answered to the sender (a
 * COMMAND_REFUSED answer, recorded as CommandRejected). A command whose body the inner decoder
 * already refused (COMMAND_REFUSED) keeps that answer only when it is signed by the acting state.
 * Messages too broken to verify (no envelope) and other topics are left to the inner decoder.
 */
export function signedCommandDecoder(inner: MessageDecoder, verifier: CommandSignatureVerifier, commandTopics: string[]): MessageDecoder {
  const topics = new Set(commandTopics);
  return {
    decode(message: InboundMessage): DecodeResult {
      const decoded = inner.decode(message);
      if (!decoded.ok || !topics.has(message.topic)) return decoded;
      const event = decoded.event;
      const refusedBody = event.type === COMMAND_REFUSED ? (event.data as CommandRefusal) : undefined;
      const command: SignedCommand = refusedBody
        ? { id: refusedBody.commandId, type: refusedBody.commandType, actorState: text(message.headers.ce_actorstate) }
        : { id: event.id, type: event.type, actorState: actorOf(event)?.state, covered: coveredOf(event), data: event.data as Record<string, unknown> };
      const check = verifier.check(message, command);
      if (check.ok) {
        // A refusal of a body its acting state signed is that state's answer, on its own results topic.
        if (refusedBody) return { ok: true, event: { ...event, extensions: { ...event.extensions, actor: signerActor(check.signerState, check.kid) } } };
        return { ok: true, event: { ...event, extensions: { ...event.extensions, signer: { state: check.signerState, kid: check.kid } } } };
      }
      // A signer that verified but may not act so (UNAUTHORISED_ACTOR) is answered on its own state's topic; any other refusal names no state.
      const envelope = {
        id: command.id, type: command.type, correlationId: event.correlationId ?? command.id, occurredAt: event.occurredAt, traceparent: event.traceparent,
        ...(check.signerState ? { actor: signerActor(check.signerState) } : {}),
      };
      return refuseInDecoder(message, envelope, { code: check.code, reason: check.reason }, [{ path: check.field, problem: check.reason }], check.signerState ? { signerState: check.signerState } : undefined);
    },
  };
}

/**
 * The actor of a refusal whose signature verified: the signer's state (and key), as a command
 * taken is acted by its signer, so that the answer goes to that state's results topic
 * (docs/adr/0015-command-results-per-state.md). Never the state the message claims.
 */
function signerActor(state: string, kid?: string): { state: string; subject?: string; verifiedBy: 'command-signature' } {
  return { state, ...(kid ? { subject: kid } : {}), verifiedBy: 'command-signature' };
}

/** The actor a decoded command claims (its ce_actor* headers). */
function actorOf(event: DecodedEvent): { state?: string; organisation?: string; officer?: string } | undefined {
  return event.extensions.actor as { state?: string; organisation?: string; officer?: string } | undefined;
}

/** The values of the headers a signature covers, as the decoded envelope gives them to the service. */
function coveredOf(event: DecodedEvent): NonNullable<SignedCommand['covered']> {
  const actor = actorOf(event);
  return { ce_actororganisation: actor?.organisation, ce_actorofficer: actor?.officer, ce_correlationid: event.correlationId };
}

/** A header's one value, the case of its name ignored (as the contract's reader takes headers); null when it is given more than once. */
function headerValue(headers: InboundMessage['headers'], name: string): string | undefined | null {
  const values = Object.entries(headers ?? {})
    .filter(([key, value]) => key.toLowerCase() === name && value !== undefined)
    .flatMap(([, value]) => (Array.isArray(value) ? value : [value]));
  if (values.length === 0) return undefined;
  return values.length === 1 ? text(values[0]) ?? null : null;
}

function text(value: unknown): string | undefined {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return text(value[0]);
  return typeof value === 'string' ? value : undefined;
}
