import { randomUUID } from 'node:crypto';
import { exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { SIGNATURE_HEADER, signCommand, type SignerKey } from './signatures';

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

  /** This ministry's entry of COMMAND_SIGNERS. */
  signer(): SignerKey {
    return { kid: this.kid, state: this.state, publicKeyPem: this.publicKeyPem };
  }

  /**
   * The message with this ministry's signature in its `ce_signature` header, made for the command
   * the message names (ce_id, ce_type); `kid` claims another key's id (a forgery).
   */
  async sign(message: CommandMessage, options: { kid?: string } = {}): Promise<CommandMessage> {
    const signature = await signCommand(message.value, this.privateKey, {
      kid: options.kid ?? this.kid,
      algorithm: this.algorithm,
      commandId: message.headers.ce_id,
      commandType: message.headers.ce_type,
    });
    return { ...message, headers: { ...message.headers, [SIGNATURE_HEADER]: signature } };
  }
}
