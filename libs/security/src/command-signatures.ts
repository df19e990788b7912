import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { InvalidConfigurationError } from '@custody/config';
import { CommandRejection } from '@custody/contracts';
import type { DecodedEvent, MessageDecoder } from '@custody/messaging';
import { JwksSignerKeys, type JwksSigners } from './jwks-signers';
import { keySourceUrlProblem } from './key-source-url';
import { relationsOf, type Relation, type ResourceJurisdiction } from './policy';
import { CommandSignatureVerifier, signedCommandDecoder, SignerKeyring, type CommandRights, type SignerKey } from './signatures';

/**
 * Who may issue a command over Kafka: the relations to the command's subject (as in the HTTP
 * policy: sending, receiving, operator, lessee), one of which the signer's state must have.
 */
export type CommandRight = readonly Relation[];

/** The ministries' command-signing keys as COMMAND_SIGNERS gives them: keys, and JWKS URLs whose keys are a state's. */
export interface SignerSources {
  keys: SignerKey[];
  jwks: JwksSigners[];
}

/**
 * The variables of the command-signature check, as a service's configuration declares them
 * (ServiceConfig in @custody/platform): COMMAND_SIGNATURES, COMMAND_SIGNERS, for ministries
 * that publish their keys COMMAND_SIGNERS_REFRESH_SECONDS (300 when absent) and, for the
 * transition to signatures that cover the actor and the correlation id, COMMAND_SIGNATURES_V1
 * (`refuse` when absent; docs/security.md).
 */
export interface CommandSignatureSettings {
  COMMAND_SIGNATURES: 'required' | 'off';
  COMMAND_SIGNERS: string;
  COMMAND_SIGNERS_REFRESH_SECONDS?: number;
  COMMAND_SIGNATURES_V1?: 'refuse' | 'accept';
}

/**
 * Parses COMMAND_SIGNERS, a JSON array of `{ kid, state, publicKeyPem | keyFile }` (one key) or
 * `{ state, jwksUri }` (every signing key the ministry publishes there, fetched by the service);
 * throws a TypeError naming the entry at fault.
 */
export function parseSigners(json: string): SignerSources {
  const parsed: unknown = JSON.parse(json || '[]');
  if (!Array.isArray(parsed)) throw new TypeError('must be a JSON array');
  const kids = new Set<string>();
  const uris = new Set<string>();
  const sources: SignerSources = { keys: [], jwks: [] };
  parsed.forEach((entry: Partial<SignerKey & { keyFile: string; jwksUri: string }>, index) => {
    if (typeof entry?.state !== 'string' || !/^[A-Z]{2}$/.test(entry.state)) throw new TypeError(`[${index}].state must be an ISO 3166-1 alpha-2 code`);
    if (entry.jwksUri !== undefined) {
      const problem = keySourceUrlProblem(entry.jwksUri);
      if (problem || typeof entry.jwksUri !== 'string') throw new TypeError(`[${index}].jwksUri ${problem ?? 'must be an https URL'}`);
      if (entry.kid !== undefined || entry.publicKeyPem !== undefined || entry.keyFile !== undefined) {
        throw new TypeError(`[${index}] has jwksUri and a key: give one or the other (the key ids come from the JWKS)`);
      }
      if (uris.has(entry.jwksUri)) throw new TypeError(`[${index}].jwksUri ${entry.jwksUri} is given twice`);
      uris.add(entry.jwksUri);
      sources.jwks.push({ state: entry.state, jwksUri: entry.jwksUri });
      return;
    }
    if (typeof entry.kid !== 'string' || !entry.kid) throw new TypeError(`[${index}].kid is required (or jwksUri)`);
    if (kids.has(entry.kid)) throw new TypeError(`[${index}].kid ${entry.kid} is given twice`);
    kids.add(entry.kid);
    const publicKeyPem = entry.publicKeyPem ?? (entry.keyFile ? readKeyFile(entry.keyFile, index) : undefined);
    if (!publicKeyPem) throw new TypeError(`[${index}] needs publicKeyPem, keyFile or jwksUri`);
    sources.keys.push({ kid: entry.kid, state: entry.state, publicKeyPem });
  });
  return sources;
}

function readKeyFile(path: string, index: number): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new TypeError(`[${index}].keyFile cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * The decoder of a service's consumer, with the commands on `commandTopic` verified: the
 * ministry's signature, and the rights the message itself shows (see {@link messageRights}).
 * COMMAND_SIGNATURES=off leaves `inner` as it is. Required with no signer, an unreadable
 * COMMAND_SIGNERS or a key that is not a public key is a configuration error naming the
 * variable, so that a service never takes unsigned commands by mistake.
 */
export function commandDecoder(
  config: CommandSignatureSettings,
  inner: MessageDecoder,
  commandTopic: string,
  rights: CommandRights,
): MessageDecoder {
  const problem = (text: string) => new InvalidConfigurationError([{ variable: 'COMMAND_SIGNERS', problem: text }]);
  let signers: SignerSources;
  try {
    signers = parseSigners(config.COMMAND_SIGNERS);
  } catch (error) {
    throw problem((error as Error).message);
  }
  if (config.COMMAND_SIGNATURES === 'off') return inner;
  if (signers.keys.length === 0 && signers.jwks.length === 0) {
    throw problem('no command-signing key configured while COMMAND_SIGNATURES=required (set COMMAND_SIGNATURES=off only for local development)');
  }
  let ring: SignerKeyring;
  try {
    ring = new SignerKeyring(signers.keys);
  } catch (error) {
    throw problem(`a key is not a PEM public key (${(error as Error).message})`);
  }
  const verifier = new CommandSignatureVerifier(ring, rights, { acceptFirstForm: config.COMMAND_SIGNATURES_V1 === 'accept' });
  const decoder = signedCommandDecoder(inner, verifier, [commandTopic]);
  if (signers.jwks.length === 0) return decoder;
  // Ministries that publish their keys: fetched before the consumer starts, then kept fresh.
  const logger = new Logger('CommandSigners');
  const published = new JwksSignerKeys(ring, signers.jwks, {
    refreshMs: (config.COMMAND_SIGNERS_REFRESH_SECONDS ?? 300) * 1000,
    log: (level, message) => logger[level](message),
  });
  return { ...decoder, prepare: () => published.start(), close: () => published.stop() };
}

/**
 * The rights the decoder checks from the message alone: those of the commands whose body names
 * their subject's states (`subjectOf`, e.g. the sending state of a registration). The others are
 * left to the handler that loads the subject ({@link signerRefusal}).
 */
export function messageRights(
  rights: Readonly<Record<string, CommandRight>>,
  subjectOf: Readonly<Record<string, (data: Record<string, unknown>) => ResourceJurisdiction>>,
): CommandRights {
  return Object.fromEntries(
    Object.entries(subjectOf).map(([type, of]) => [type, (data: Record<string, unknown>, signerState: string) => mayIssue(rights[type] ?? [], signerState, of(data))]),
  );
}

/** Whether a state has one of the relations of `right` to a subject with these states. */
export function mayIssue(right: CommandRight, signerState: string, subject: ResourceJurisdiction): boolean {
  return relationsOf(signerState, subject).some((relation) => right.includes(relation));
}

/** The state whose verified signature a command from Kafka carries; undefined when signatures are off. */
export function signerStateOf(event: DecodedEvent): string | undefined {
  return (event.extensions.signer as { state?: string } | undefined)?.state;
}

/**
 * The check of a right that depends on stored state, made where the handler loaded the subject:
 * UNAUTHORISED_ACTOR when the signer's state has none of the relations `right` asks; undefined
 * when it may, when the command came unsigned (COMMAND_SIGNATURES=off), or when the subject is not
 * known (the decider then answers, e.g. INMATE_NOT_FOUND). The handler records the rejection as
 * the command's result and sets the message aside (refuseInHandler in @custody/platform).
 */
export function signerRefusal(signerState: string | undefined, type: string, subject: ResourceJurisdiction | undefined, right: CommandRight = []): CommandRejection | undefined {
  if (!signerState || !subject || mayIssue(right, signerState, subject)) return undefined;
  const what = subject.kind === 'global' ? 'subject' : subject.kind;
  const who = right.length > 0 ? `only its ${right.join(' or ')} state may` : 'no ministry may';
  return new CommandRejection('UNAUTHORISED_ACTOR', `${signerState} may not issue ${type} for this ${what}: ${who}.`, { signerState, commandType: type });
}
