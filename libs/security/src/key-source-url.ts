/**
 * Whether a URL may serve keys the service trusts (a ministry's JWKS for tokens or for command
 * signatures): https anywhere, plain http only on this machine's loopback (a local identity
 * provider in development and tests). Keys fetched over plain http from another host could be
 * replaced on the way, and every token or command signed with a key slipped in would be believed.
 * Returns the problem as a sentence, or undefined when the URL is acceptable.
 */
export function keySourceUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be an https URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an https URL';
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol !== 'http:') return 'must be an https URL';
  return isLoopback(url.hostname) ? undefined : `must be an https URL: plain http is accepted only for a loopback host (127.0.0.0/8, ::1, localhost), not ${url.hostname}`;
}

function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  const octets = hostname.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}
