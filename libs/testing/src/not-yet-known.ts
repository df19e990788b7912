/**
 * Sends a request as a client does (docs/adr/0012-not-yet-known-here.md): while the service answers
 * 409 NOT_YET_KNOWN_HERE (what it needs is still on its way from another service), waits the
 * Retry-After it names and sends the same request again; returns the first other answer.
 */
export async function sendUntilKnownHere<R extends { status: number; body: { code?: string }; headers: Record<string, string | string[] | undefined> }>(
  send: () => PromiseLike<R>,
): Promise<R> {
  for (;;) {
    const answer = await send();
    if (answer.status !== 409 || answer.body.code !== 'NOT_YET_KNOWN_HERE') return answer;
    const seconds = Number(answer.headers['retry-after']);
    if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`NOT_YET_KNOWN_HERE without a valid Retry-After header: ${String(answer.headers['retry-after'])}`);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  }
}
