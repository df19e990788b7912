import { connect, type Socket } from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/** Kafka API keys a test acts on. */
export const API = { produce: 0, addPartitionsToTxn: 24, endTxn: 26 } as const;

/** A request a client is writing to a broker. */
export interface TappedRequest {
  /** The broker's `host:port`. */
  broker: string;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** The whole frame, size prefix included. */
  frame: Buffer;
}

/** A response a broker sent, before the client reads it. */
export interface TappedResponse {
  broker: string;
  /** The API key of the request it answers. */
  apiKey: number;
  correlationId: number;
}

export interface WirePolicy {
  /** `cut`: the request is not sent, and its connection is destroyed as if the broker had gone. */
  request?(request: TappedRequest): 'send' | 'cut';
  /** `hold`: the response, and every later one on its connection, waits for {@link WireTap.release}. */
  response?(response: TappedResponse): 'deliver' | 'hold';
}

/**
 * A kafkajs socket factory (plaintext), or a tap on @platformatic/kafka's connections ({@link tapPlatformatic}), through which a test sees every request a client writes
 * and every response it reads, cuts a connection at a chosen request, and holds responses back:
 * the order of events inside kafkajs becomes the test's, not the machine's.
 */
export class WireTap {
  private readonly held: Array<() => void> = [];

  constructor(private readonly policy: WirePolicy) {}

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    this.tap(socket, `${host}:${port}`);
    return socket;
  };

  /**
   * Taps every plaintext connection @platformatic/kafka opens from now until the returned function
   * is called. Its connections are made with node:net's `createConnection` (kafkajs's with
   * `connect`, untouched), which the test run's CommonJS build of the package looks up at each call.
   */
  tapPlatformatic(): () => void {
    // The module object itself (an `import * as` copy would not be what the package calls).
    const net = process.getBuiltinModule('node:net');
    const original = net.createConnection;
    const patched = ((...args: Parameters<typeof net.createConnection>) => {
      const socket = (original as (...a: unknown[]) => Socket)(...args);
      const options = args[0] as { host?: string; port?: number };
      this.tap(socket, `${options.host}:${options.port}`);
      return socket;
    }) as typeof net.createConnection;
    (net as { createConnection: typeof net.createConnection }).createConnection = patched;
    return () => {
      (net as { createConnection: typeof net.createConnection }).createConnection = original;
    };
  }

  /** Delivers every held response, in order, on each connection. */
  release(): void {
    for (const deliver of this.held.splice(0)) deliver();
  }

  /** How many connections hold responses now. */
  get holding(): number {
    return this.held.length;
  }

  private tap(socket: Socket, broker: string): void {
    const apiKeys = new Map<number, number>();
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    // kafkajs and @platformatic/kafka write each request whole, its size prefix included, in one call.
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (Buffer.isBuffer(chunk) && chunk.length >= 12) {
        const request: TappedRequest = {
          broker,
          apiKey: chunk.readInt16BE(4),
          apiVersion: chunk.readInt16BE(6),
          correlationId: chunk.readInt32BE(8),
          frame: chunk,
        };
        apiKeys.set(request.correlationId, request.apiKey);
        if (this.policy.request?.(request) === 'cut') {
          setImmediate(() => socket.destroy(new Error(`the test cut the connection to ${broker}`)));
          return true;
        }
      }
      return write(chunk, ...rest);
    }) as unknown as Socket['write'];

    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    let unread = Buffer.alloc(0);
    let queue: Buffer[] | undefined;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'data') return emit(event, ...args);
      unread = Buffer.concat([unread, args[0] as Buffer]);
      while (unread.length >= 4 && unread.length >= 4 + unread.readInt32BE(0)) {
        const size = unread.readInt32BE(0);
        const frame = Buffer.from(unread.subarray(0, 4 + size));
        unread = unread.subarray(4 + size);
        if (queue) {
          queue.push(frame);
          continue;
        }
        const correlationId = frame.readInt32BE(4);
        const apiKey = apiKeys.get(correlationId) ?? -1;
        if (this.policy.response?.({ broker, apiKey, correlationId }) === 'hold') {
          const held: Buffer[] = [frame];
          queue = held;
          this.held.push(() => {
            queue = undefined;
            if (!socket.destroyed) for (const f of held) emit('data', f);
          });
          continue;
        }
        emit('data', frame);
      }
      return true;
    }) as unknown as Socket['emit'];
  }
}

/** The partitions an AddPartitionsToTxn request (versions 0 to 3) adds, as `topic/partition`. */
export function partitionsAdded(frame: Buffer): string[] {
  let at = 12;
  const readString = (): string => {
    const length = frame.readInt16BE(at);
    at += 2;
    if (length < 0) return '';
    const value = frame.toString('utf8', at, at + length);
    at += length;
    return value;
  };
  readString(); // client id
  readString(); // transactional id
  at += 8 + 2; // producer id, epoch
  const added: string[] = [];
  for (let topics = frame.readInt32BE((at += 4) - 4); topics > 0; topics--) {
    const topic = readString();
    for (let partitions = frame.readInt32BE((at += 4) - 4); partitions > 0; partitions--) {
      added.push(`${topic}/${frame.readInt32BE((at += 4) - 4)}`);
    }
  }
  return added;
}
