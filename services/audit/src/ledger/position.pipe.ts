import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { REJECTIONS } from '@custody/contracts';

/**
 * A ledger position given in a query: a whole number from 0 (absent: undefined). Anything else is
 * 400 VALIDATION_FAILED naming the parameter, never read as 0 or as a negative position (which made
 * `verify` report a missing entry that is not missing).
 */
export class LedgerPositionPipe implements PipeTransform<unknown, number | undefined> {
  constructor(private readonly name: string) {}

  transform(value: unknown): number | undefined {
    if (value === undefined) return undefined;
    const text = typeof value === 'number' ? String(value) : value;
    const position = typeof text === 'string' && /^\d{1,15}$/.test(text) ? Number(text) : undefined;
    if (position === undefined) {
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: REJECTIONS.VALIDATION_FAILED.message,
        errors: [{ path: this.name, problem: `${this.name} must be a whole number from 0 (a ledger position), not ${JSON.stringify(value)}` }],
        details: {},
      });
    }
    return position;
  }
}
