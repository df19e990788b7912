import type { SecureRequest } from './security.guard';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The route's id parameter when it is a UUID, as written: the first of `names` the route has
 * (`:id` by default; a command route of the command table names it as the body does, e.g.
 * `:transferId`). Anything else names no resource: a resolver answers undefined for it, and the
 * route its own 400 or 404.
 */
export function resourceIdOf(request: Pick<SecureRequest, 'params'>, ...names: string[]): string | undefined {
  const name = (names.length > 0 ? names : ['id']).find((candidate) => request.params[candidate] !== undefined);
  const id = name === undefined ? undefined : request.params[name];
  return id && UUID.test(id) ? id : undefined;
}
