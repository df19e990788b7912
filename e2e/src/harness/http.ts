/** An HTTP answer: the status and the parsed JSON body (or the text). */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  /** The Retry-After header in seconds, when the answer has one (429, 503, 409 NOT_YET_KNOWN_HERE). */
  retryAfterSeconds?: number;
}

/** The services' structured error body. */
export interface ErrorBody {
  code?: string;
  message?: string;
  errors?: Array<{ path: string; problem: string }>;
  details?: Record<string, unknown>;
}

export class HttpFailure extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly answer: Answer,
  ) {
    super(`${method} ${url} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 1500)}`);
    this.name = 'HttpFailure';
  }
}

/** One request; connection failures are thrown (the caller decides whether to retry). */
export async function request<T = unknown>(method: 'GET' | 'POST', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  const retryAfter = response.headers.get('retry-after');
  const retryAfterSeconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return { status: response.status, body: parsed as T, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
}

/** GET that must answer 2xx. */
export async function getOk<T = unknown>(url: string): Promise<T> {
  const answer = await request<T>('GET', url);
  if (answer.status >= 300) throw new HttpFailure('GET', url, answer);
  return answer.body;
}

/** POST that must answer 2xx. */
export async function postOk<T = unknown>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const answer = await request<T>('POST', url, body, headers);
  if (answer.status >= 300) throw new HttpFailure('POST', url, answer);
  return answer.body;
}

/**
 * Waits until `check` returns a value other than undefined, polling; fails after `timeoutMs`
 * with `message` and the last error (never a fixed sleep).
 */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 60_000, intervalMs = 200, message = 'condition' }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
