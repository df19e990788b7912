import { createPublicKey, type KeyObject } from 'node:crypto';
import type { SignerKeyring } from './signatures';

/** A ministry that publishes its command-signing keys as a JWKS document (RFC 7517): every key there is that state's. */
export interface JwksSigners {
  state: string;
  jwksUri: string;
}

/** What happened to one source at its last fetch. */
export interface JwksSourceStatus {
  jwksUri: string;
  state: string;
  keys: number;
  fetchedAt?: string;
  error?: string;
}

/**
 * The signing keys of a JWKS document: those with a `kid`, meant for signatures (`use` absent or
 * `sig`), of the algorithms commands are signed with (RSA for RS256, EC P-256 for ES256; `alg`
 * absent or one of those). Any other key is left out and named in `skipped`; a document that is
 * not `{ keys: [...] }` throws.
 */
export function signingKeysOf(document: unknown): { keys: Array<{ kid: string; key: KeyObject }>; skipped: string[] } {
  const list = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new TypeError('the document is not a JWKS ({ "keys": [...] })');
  const keys: Array<{ kid: string; key: KeyObject }> = [];
  const skipped: string[] = [];
  list.forEach((jwk: Record<string, unknown>, index) => {
    const name = typeof jwk?.kid === 'string' && jwk.kid !== '' ? jwk.kid : `#${index}`;
    const isSigning = jwk?.use === undefined || jwk.use === 'sig';
    const isRsa = jwk?.kty === 'RSA' && (jwk.alg === undefined || jwk.alg === 'RS256');
    const isP256 = jwk?.kty === 'EC' && jwk.crv === 'P-256' && (jwk.alg === undefined || jwk.alg === 'ES256');
    if (name.startsWith('#') || !isSigning || !(isRsa || isP256) || 'd' in jwk) {
      skipped.push(name);
      return;
    }
    try {
      keys.push({ kid: name, key: createPublicKey({ key: jwk as never, format: 'jwk' }) });
    } catch {
      skipped.push(name);
    }
  });
  return { keys, skipped };
}

/**
 * The keys of ministries that publish them at a JWKS URL, kept in the verifier's keyring: fetched
 * before the consumer starts, again every `refreshMs`, and again soon (at most once per
 * `minIntervalMs`) when a command names a key nobody holds, so that a ministry rotating its key
 * needs no change of configuration here. A command signed with a key not fetched yet is refused
 * SIGNATURE_INVALID and answered, as any unknown key is: the ministry sends it again. A source that
 * cannot be fetched keeps its last keys and is tried again at the next refresh.
 */
export class JwksSignerKeys {
  private readonly status = new Map<string, JwksSourceStatus>();
  private timer?: NodeJS.Timeout;
  private lastRefresh = 0;
  private refreshing?: Promise<void>;

  constructor(
    private readonly ring: SignerKeyring,
    private readonly sources: JwksSigners[],
    private readonly options: {
      refreshMs: number;
      minIntervalMs?: number;
      timeoutMs?: number;
      log?: (level: 'log' | 'warn' | 'error', message: string) => void;
    },
  ) {
    for (const source of sources) this.status.set(source.jwksUri, { jwksUri: source.jwksUri, state: source.state, keys: 0 });
    ring.onUnknown = () => {
      if (this.sources.length === 0) return undefined;
      this.refreshSoon();
      const failing = [...this.status.values()].filter((s) => s.error);
      const note = failing.length > 0 ? `; not fetched: ${failing.map((s) => `${s.jwksUri} (${s.error})`).join(', ')}` : '';
      return ` (the ministries' published key sets are fetched again now: a key just published is taken within ${Math.ceil((this.options.minIntervalMs ?? 30_000) / 1000)} s, then send the command again${note})`;
    };
  }

  /** Fetches every source once, then every `refreshMs`. */
  async start(): Promise<void> {
    await this.refresh();
    const schedule = () => {
      this.timer = setTimeout(() => void this.refresh().finally(schedule), this.options.refreshMs);
      this.timer.unref();
    };
    schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Each source's last fetch. */
  sourceStatus(): JwksSourceStatus[] {
    return [...this.status.values()].map((s) => ({ ...s }));
  }

  /** A fetch of every source now, unless one ran less than `minIntervalMs` ago. */
  refreshSoon(): void {
    if (Date.now() - this.lastRefresh < (this.options.minIntervalMs ?? 30_000)) return;
    void this.refresh();
  }

  /** Fetches every source (one refresh at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      this.lastRefresh = Date.now();
      await Promise.all(this.sources.map((source) => this.fetchOne(source)));
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async fetchOne(source: JwksSigners): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    try {
      const response = await fetch(source.jwksUri, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { keys, skipped } = signingKeysOf(await response.json());
      const refused = this.ring.replace(source.jwksUri, source.state, keys);
      const previous = this.status.get(source.jwksUri);
      this.status.set(source.jwksUri, { jwksUri: source.jwksUri, state: source.state, keys: keys.length - refused.length, fetchedAt: new Date().toISOString() });
      if (previous?.error || previous?.keys !== keys.length - refused.length) {
        log('log', `command-signing keys of ${source.state} from ${source.jwksUri}: ${keys.length - refused.length} held`);
      }
      if (skipped.length > 0) log('warn', `${source.jwksUri}: keys ${skipped.join(', ')} left out (not RS256/ES256 signing public keys with a kid)`);
      if (refused.length > 0) log('error', `${source.jwksUri}: keys ${refused.join(', ')} not taken: another ministry's source or COMMAND_SIGNERS already names them`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const previous = this.status.get(source.jwksUri)!;
      this.status.set(source.jwksUri, { ...previous, error: message });
      log('error', `command-signing keys of ${source.state} not fetched from ${source.jwksUri}: ${message} (the last keys fetched, if any, stay in use)`);
    }
  }
}
