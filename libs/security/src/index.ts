// HTTP: who the caller is (bearer tokens of the ministries' identity providers), what a role may
// do to a resource of which states (the policy), the guard and rate limit on every route, and the
// hardening of the HTTP server.
export { ACTIONS, decide, POLICY, relationsOf, ROLES, visibleStates } from './policy';
export type { Action, Decision, Principal, Relation, ResourceJurisdiction, Role } from './policy';
export { AuthenticationError, Authenticator, loadIssuerKey, parseIssuers, TOKEN_ALGORITHMS } from './authenticator';
export type { AuthenticatorSettings, IssuerSettings } from './authenticator';
export { SecurityConfig } from './security.config';
export { BEARER_SCHEME, CurrentPrincipal, Public, RATE_LIMITS, RateLimitGuard, REQUIRES, Requires, SECURITY_MODE, SecurityGuard } from './security.guard';
export { limitOf, parseRoleLimits, trackerOf } from './rate-limits';
export type { RateLimits, RoleLimits } from './rate-limits';
export type { JurisdictionResolver, SecureRequest } from './security.guard';
export { SecurityModule } from './security.module';
export { resourceIdOf } from './resource-id';
export { hardenHttp } from './harden';
// Kafka: the ministries' command signatures, the signers' keys and their rights.
export { commandDecoder, mayIssue, messageRights, parseSigners, signerRefusal, signerStateOf } from './command-signatures';
export type { CommandRight, CommandSignatureSettings, SignerSources } from './command-signatures';
export { COMMAND_SIGNATURE_FORM, CommandSignatureVerifier, SIGNATURE_HEADER, SIGNED_ACTOR_HEADERS, signCommand, signedCommandDecoder, signedFieldsOf, SignerKeyring } from './signatures';
export type { CommandRights, CommandSignatureVerifierOptions, CommandSigning, HeldSignerKey, SignatureCheck, SignatureRefusalCode, SignedCommand, SignerKey } from './signatures';
export { JwksSignerKeys, signingKeysOf } from './jwks-signers';
// Kafka: the services' signatures of the events they publish (docs/adr/0013-signed-events.md).
export {
  coveredByEventSignature, EVENT_BATCH_SIGNATURE_TYPE, EVENT_SIGNATURE_HEADER, EVENT_SIGNATURE_INVALID, EVENT_SIGNATURE_PATH_HEADER, eventKeyId, EventSignatureVerifier, eventSignatures, EventSigner, eventSigningInput, parsePublisherKeys, signedEventDecoder,
} from './event-signatures';
export type { EventSignatureCheck, EventSignatures, EventSignatureSettings, PublisherKey, SignableMessage } from './event-signatures';
export type { JwksSigners, JwksSourceStatus } from './jwks-signers';
// RFC 6962 Merkle trees: the audit ledger's and the batch signatures'.
export { merkleLeafHash, merkleLeafHashHex, merkleLeafHashOfHex, merkleNodeHash, merkleNodeHashHex, merkleRootFromPath, merkleTree } from './merkle';
