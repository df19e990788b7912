import type { InboundMessage, MessageDecoder } from './codec';
import { decodeSafely } from './consumer';

/**
 * No message can stop a consumer: a decoder that throws is answered with a refusal, never a failed
 * batch (the decoders a service runs, behind the signature check, are thrown random and mutated
 * messages in @custody/security's signed-decoder.properties.spec.ts).
 */
describe('the consumer\'s decoding', () => {
  const inbound = (value: Buffer | null, headers: InboundMessage['headers']): InboundMessage => ({
    topic: 'custody.intake.commands', partition: 0, offset: '0', key: Buffer.from('key'), value, headers,
  });

  it('sets aside, as MESSAGE_UNREADABLE with the error, a message on which a decoder throws', () => {
    const throwing: MessageDecoder = { decode: () => { throw new TypeError("Cannot read properties of null (reading 'kid')"); } };
    expect(decodeSafely(throwing, inbound(Buffer.from('{}'), {}))).toEqual({
      ok: false,
      failure: { code: 'MESSAGE_UNREADABLE', reason: "the message could not be decoded (TypeError: Cannot read properties of null (reading 'kid'))" },
    });
  });
});
