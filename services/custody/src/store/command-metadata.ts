import { CommandRejection } from '@custody/contracts';

/** The path's id and the body's must name the same thing (400 VALIDATION_FAILED otherwise). */
export function samePath(field: string, fromPath: string, fromBody: string): void {
  if (fromPath !== fromBody) {
    throw new CommandRejection('VALIDATION_FAILED', undefined, {}, [{ path: field, problem: `${field} differs from the path (${fromPath})` }]);
  }
}
