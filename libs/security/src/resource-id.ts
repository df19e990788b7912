import type { SecureRequest } from './security.guard';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The route's `:id` when it is a UUID, as written. Anything else names no resource: a resolver
 * answers undefined for it, and the route its own 400 or 404.
 */
export function resourceIdOf(request: Pick<SecureRequest, 'params'>): string | undefined {
  const id = request.params.id;
  return id && UUID.test(id) ? id : undefined;
}
