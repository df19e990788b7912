import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';

/** A SCRAM user to create, or whose password to set. */
export interface ScramUser {
  username: string;
  password: string;
}

const ALTER_USER_SCRAM_CREDENTIALS = 51;
const SCRAM_SHA_512 = 2;
/** Kafka's minimum for SCRAM-SHA-512. */
const ITERATIONS = 4096;

/**
 * Creates SCRAM-SHA-512 users, or sets their password (AlterUserScramCredentials, what
 * `kafka-configs.sh --alter --add-config SCRAM-SHA-512=[...]` sends), over a listener without SASL
 * (the local broker's loopback listener, whose principal is a super user: deploy/kafka/README.md).
 * A broker that stored credentials at format time takes new ones this way at any time later; the
 * password never leaves this process, only its salted hash. Throws a sentence naming the user the
 * broker refused.
 */
export async function upsertScramUsers(broker: string, users: readonly ScramUser[], timeoutMs = 30_000): Promise<void> {
  if (users.length === 0) return;
  const body = Buffer.concat([
    uvarint(1), // no deletions (a compact array of 0)
    uvarint(users.length + 1),
    ...users.map((user) => {
      const salt = randomBytes(32);
      const salted = pbkdf2Sync(Buffer.from(user.password, 'utf8'), salt, ITERATIONS, 64, 'sha512');
      return Buffer.concat([compactString(user.username), int8(SCRAM_SHA_512), int32(ITERATIONS), compactBytes(salt), compactBytes(salted), uvarint(0)]);
    }),
    uvarint(0),
  ]);
  const correlationId = 0x53435241;
  const clientId = Buffer.from('custody-scram-users');
  // Request header v2: api key, version 0, correlation id, client id (a nullable string), no tagged fields.
  const header = Buffer.concat([int16(ALTER_USER_SCRAM_CREDENTIALS), int16(0), int32(correlationId), int16(clientId.length), clientId, uvarint(0)]);
  const answer = await roundTrip(broker, Buffer.concat([header, body]), timeoutMs);
  // Response header v1: correlation id, tagged fields; then throttle time and the results.
  const reader = new Reader(answer);
  if (reader.int32() !== correlationId) throw new Error(`the broker at ${broker} answered AlterUserScramCredentials with another correlation id`);
  reader.taggedFields();
  reader.int32();
  const results = reader.uvarint() - 1;
  const refused: string[] = [];
  for (let i = 0; i < results; i++) {
    const user = reader.compactString() ?? '';
    const errorCode = reader.int16();
    const message = reader.compactString();
    reader.taggedFields();
    if (errorCode !== 0) refused.push(`${user}: error ${errorCode}${message ? ` (${message})` : ''}`);
  }
  if (refused.length > 0) throw new Error(`the broker at ${broker} refused the SCRAM credentials of ${refused.join('; ')}`);
}

function roundTrip(broker: string, request: Buffer, timeoutMs: number): Promise<Buffer> {
  const host = broker.slice(0, broker.lastIndexOf(':'));
  const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
  return new Promise((done, fail) => {
    const socket = createConnection({ host, port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => (socket.destroy(), fail(new Error(`no answer from the broker at ${broker} within ${timeoutMs} ms`))), timeoutMs);
    socket.once('error', (error) => (clearTimeout(timer), fail(new Error(`the broker at ${broker} could not be reached: ${error.message}`))));
    socket.once('close', () => {
      clearTimeout(timer);
      fail(new Error(`the broker at ${broker} closed the connection (a listener with SASL or TLS? this needs the loopback listener without)`));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        clearTimeout(timer);
        socket.removeAllListeners('close');
        socket.destroy();
        done(received.subarray(4, 4 + received.readInt32BE(0)));
      }
    });
    socket.once('connect', () => socket.write(Buffer.concat([int32(request.length), request])));
  });
}

const int8 = (value: number) => Buffer.from([value]);
const int16 = (value: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(value);
  return b;
};
const int32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
};
function uvarint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
const compactBytes = (bytes: Buffer) => Buffer.concat([uvarint(bytes.length + 1), bytes]);
const compactString = (text: string) => compactBytes(Buffer.from(text, 'utf8'));

class Reader {
  private at = 0;
  constructor(private readonly buffer: Buffer) {}
  int16(): number {
    const value = this.buffer.readInt16BE(this.at);
    this.at += 2;
    return value;
  }
  int32(): number {
    const value = this.buffer.readInt32BE(this.at);
    this.at += 4;
    return value;
  }
  uvarint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.buffer[this.at++];
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
  }
  compactString(): string | undefined {
    const length = this.uvarint() - 1;
    if (length < 0) return undefined;
    const text = this.buffer.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }
  taggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      this.at += this.uvarint();
    }
  }
}
