import { ACTOR_VERIFICATIONS, EXTENSIONS } from '../envelope/envelope';
import type { JsonSchema } from './schemas';

const text = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
const INSTANT = { format: 'date-time' };

/** Kafka headers of every message: CloudEvents 1.0 binary mode plus the contract's extensions. */
export function envelopeHeaders(kind: 'command' | 'event'): JsonSchema {
  const actorRequired = kind === 'command' ? [`ce_${EXTENSIONS.actorState}`, `ce_${EXTENSIONS.actorOrganisation}`] : [];
  return {
    type: 'object',
    required: [
      'content-type', 'ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time',
      `ce_${EXTENSIONS.correlationId}`, `ce_${EXTENSIONS.schemaVersion}`, ...actorRequired,
    ],
    properties: {
      'content-type': { const: 'application/json', description: 'Binary mode: the value is the payload, as JSON.' },
      ce_specversion: { const: '1.0' },
      ce_id: text(kind === 'command' ? 'The commandId of the body.' : 'The event id (UUID); consumers de-duplicate on it.'),
      ce_type: text('The message type, e.g. RegisterInmate or InmateRegistered.'),
      ce_source: text('URI-reference of the sender, e.g. /custody/intake or /ministries/be-justice.'),
      ce_subject: text('What the message is about: inmate/<inmateId>, facility/<facilityId>, command/<commandId> or ledger.'),
      ce_time: text(kind === 'command' ? 'When the act happened: the occurredAt of the body.' : 'When it happened in the world (occurredAt).', INSTANT),
      [`ce_${EXTENSIONS.recordedTime}`]: text('When the event store recorded it (events only).', INSTANT),
      [`ce_${EXTENSIONS.correlationId}`]: text('Correlation id; command results carry the command\'s and are keyed by it.'),
      [`ce_${EXTENSIONS.causationId}`]: text('Id of the message that caused this one.'),
      [`ce_${EXTENSIONS.schemaVersion}`]: text('Schema version of the payload, a positive integer.', { pattern: '^[1-9][0-9]*$' }),
      [`ce_${EXTENSIONS.actorState}`]: text('State of the actor (ISO 3166-1 alpha-2, XK for Kosovo).'),
      [`ce_${EXTENSIONS.actorOrganisation}`]: text('Organisation of the actor.'),
      [`ce_${EXTENSIONS.actorOfficer}`]: text('Officer acting, when a person acts.'),
      [`ce_${EXTENSIONS.actorSystem}`]: text('System principal, when a ministry\'s system acts.'),
      [`ce_${EXTENSIONS.actorSubject}`]: text('Who was verified (events): the subject of the bearer token the command came with, or the id of the key that signed it.'),
      [`ce_${EXTENSIONS.actorRoles}`]: text('The roles the verified bearer token granted, comma-separated (events).'),
      [`ce_${EXTENSIONS.actorVerifiedBy}`]: text(
        'How the recording service established the actor (events): bearer-token (its state is the token issuer\'s), command-signature (the signing key\'s state), ' +
          'or none (authentication or command signatures off, local development). The actor of a recorded event is never what the caller merely claimed: ' +
          'the X-Actor-* headers of HTTP requests are ignored; of a command\'s ce_actor* headers the state must be its signing key\'s, and the organisation and officer are covered by its signature.',
        { enum: [...ACTOR_VERIFICATIONS] },
      ),
      [`ce_${EXTENSIONS.lateRecordingReason}`]: text(
        'Events: why the act was recorded more than the recording service\'s COMMAND_LATE_RECORDING_DAYS after it happened (the command\'s lateRecordingReason, docs/domain.md Rule 17); absent when it was recorded in time.',
      ),
      ...(kind === 'event'
        ? {
            [`ce_${EXTENSIONS.stream}`]: text(
              'The stream of the publisher\'s event store the event belongs to (e.g. custody-<inmateId>); with ce_source it names the stream. Set by the services\' relays, with ce_streamrevision ' +
                '(docs/adr/0011-stream-revisions-on-the-wire.md). Absent on events published before revisions were: a reader treats such an event\'s place in its stream as unknown.',
              { pattern: '^[\\x21-\\x7e]{1,200}$' },
            ),
            ce_eventsignature: text(
              'The publishing service\'s signature of the event (docs/adr/0013-signed-events.md): a compact JWS with a detached payload (`<header>..<signature>`), EdDSA (Ed25519), the protected header naming the key (`kid`). ' +
                'It covers every ce_* header of the message but itself and ce_eventsignaturepath (id, type, source, subject, time, schema version, stream and revisions, correlation, causation and actor), content-type, the key and the SHA-256 digest of the value. ' +
                'The relays sign per batch: the protected header has `typ: custody-event-batch/1` and the signature covers the RFC 6962 Merkle root of the batch\'s events (each leaf the SHA-256 of 0x00 and the event\'s signing input), the event\'s path in ce_eventsignaturepath; without `typ`, the signature is the single-event form, over the event alone. ' +
                'Consumers that verify events (EVENT_SIGNATURES=required, the default) accept an event only signed by a key of the topic\'s publishing service; any other is set aside in the dead-letter topic as EVENT_SIGNATURE_INVALID and not applied.',
              { pattern: '^[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+$' },
            ),
            ce_eventsignaturepath: text(
              'With a batch signature in ce_eventsignature (docs/adr/0013-signed-events.md): the event\'s place in the signed batch, `<index>.<size>[.<hash>…]`, ' +
                'the event\'s index, the number of events in the batch, and the audit path from the event\'s leaf up to the signed root (RFC 6962; SHA-256, base64url). A batch of one: `0.1`. Absent with a single-event signature.',
              { pattern: '^(0|[1-9][0-9]{0,8})\\.[1-9][0-9]{0,8}(\\.[A-Za-z0-9_-]{43}){0,64}$' },
            ),
            [`ce_${EXTENSIONS.streamRevision}`]: text(
              'The event\'s revision in its stream: 0 for the stream\'s first event, one more for each event after it. A redelivered event carries the same revision again. Present exactly when ce_stream is.',
              { pattern: '^(0|[1-9][0-9]{0,14})$' },
            ),
            [`ce_${EXTENSIONS.streamPrevious}`]: text(
              'The revision of the stream\'s previous event of a type the contract publishes (-1: none, this is the first). Revisions in between are the publishing service\'s internal events, which never leave it. ' +
                'A reader that has seen the stream up to an earlier revision and not this one knows an event is missing (the audit ledger raises a history-complete finding, EVENT_MISSING). ' +
                'Absent when the publisher could not tell: unknown, never a gap.',
              { pattern: '^(-1|0|[1-9][0-9]{0,14})$' },
            ),
          }
        : {}),
      ...(kind === 'command'
        ? {
            ce_signature: text(
              'The sending ministry\'s signature of the command: a compact JWS with a detached payload (RFC 7515 appendix F, `<header>..<signature>`) over the exact message value, ES256 or RS256, ' +
                'the protected header naming its key (`kid`), the form (`typ: custody-command/2`), the command id (`custody_cid`) and type (`custody_type`), and the headers it covers, each of which must equal its parameter: ' +
                'ce_actororganisation (`custody_actororganisation`), ce_actorofficer (`custody_actorofficer`, absent when the header is) and ce_correlationid (`custody_correlationid`). ' +
                'A signature without `typ` (the first form, which covers the value, id and type only) is refused unless the service accepts it for the transition (COMMAND_SIGNATURES_V1=accept). Required by services that verify commands (COMMAND_SIGNATURES=required, the default); ' +
                'without it, or with one that does not verify or a signer without the right, the command is answered with CommandRejected (SIGNATURE_MISSING, SIGNATURE_INVALID or UNAUTHORISED_ACTOR) and set aside in the dead-letter topic.',
              { pattern: '^[A-Za-z0-9_-]+\\.\\.[A-Za-z0-9_-]+$' },
            ),
          }
        : {}),
      traceparent: text('W3C trace context, passed through.'),
      tracestate: text('W3C trace state, passed through.'),
    },
  };
}
