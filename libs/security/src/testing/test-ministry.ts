import { createPublicKey, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { SIGNATURE_HEADER, signCommand, signCommandFirstForm, signedFieldsOf, type SignerKey } from '../signatures';

/** A command message as it is produced (the contract's CloudEvents binary message). */
export interface CommandMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * A ministry's command-signing key for tests: a key pair generated in memory (never written to the
 * repository) that signs command messages, and its COMMAND_SIGNERS entry.
 */
export class TestMinistry {
  private constructor(
    readonly state: string,
    readonly kid: string,
    readonly algorithm: 'RS256' | 'ES256',
    private readonly privateKey: KeyLike,
    readonly publicKeyPem: string,
  ) {}

  static async create(state: string, algorithm: 'RS256' | 'ES256' = 'ES256'): Promise<TestMinistry> {
    const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
    return new TestMinistry(state, `${state.toLowerCase()}-commands-${randomUUID().slice(0, 8)}`, algorithm, privateKey, await exportSPKI(publicKey));
  }

  /** This ministry's public key as a JWK, as a ministry publishes it in its JWKS. */
  publicJwk(): Record<string, unknown> {
    return { ...createPublicKey(this.publicKeyPem).export({ format: 'jwk' }), kid: this.kid, alg: this.algorithm, use: 'sig' };
  }

  /** This ministry's entry of COMMAND_SIGNERS. */
  signer(): SignerKey {
    return { kid: this.kid, state: this.state, publicKeyPem: this.publicKeyPem };
  }

  /**
   * The message with this ministry's signature in its `ce_signature` header, made for the command
   * the message names and the headers it covers (ce_id, ce_type, ce_actororganisation,
   * ce_actorofficer, ce_correlationid); `kid` claims another key's id (a forgery); `firstForm`
   * signs as ministries did before the signature covered the actor and the correlation id.
   */
  async sign(message: CommandMessage, options: { kid?: string; firstForm?: boolean } = {}): Promise<CommandMessage> {
    const kid = options.kid ?? this.kid;
    const signature = options.firstForm
      ? await signCommandFirstForm(message.value, this.privateKey, { kid, algorithm: this.algorithm, commandId: message.headers.ce_id, commandType: message.headers.ce_type })
      : await signCommand(message.value, this.privateKey, { kid, algorithm: this.algorithm, ...signedFieldsOf(message.headers) });
    return { ...message, headers: { ...message.headers, [SIGNATURE_HEADER]: signature } };
  }
}

/**
 * A ministry's JWKS endpoint for tests, on 127.0.0.1 and a free port: it serves the keys it is
 * given (`publish`), or fails with a status (`fail`), and counts the fetches.
 */
export class TestJwksServer {
  private keys: Array<Record<string, unknown>> = [];
  private failure?: number;
  private readonly server: Server;
  url = '';
  fetches = 0;

  private constructor() {
    this.server = createServer((_request, response) => {
      this.fetches++;
      if (this.failure) {
        response.writeHead(this.failure).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
    });
  }

  static async start(): Promise<TestJwksServer> {
    const jwks = new TestJwksServer();
    await new Promise<void>((resolve) => jwks.server.listen(0, '127.0.0.1', resolve));
    jwks.url = `http://127.0.0.1:${(jwks.server.address() as AddressInfo).port}/.well-known/jwks.json`;
    return jwks;
  }

  /** Serves these keys from now on. */
  publish(...keys: Array<Record<string, unknown>>): void {
    this.keys = keys;
    this.failure = undefined;
  }

  /** Answers every fetch with this HTTP status until `publish` is called. */
  fail(status: number): void {
    this.failure = status;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
