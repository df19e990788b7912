import { BadRequestException, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { REJECTIONS } from '@custody/contracts';
import { isUUID } from 'class-validator';

/**
 * An id given in a path or a query: a UUID, or 400 VALIDATION_FAILED naming the parameter (the
 * framework's own pipe answered without naming it). `optional`: absent is accepted as undefined.
 */
export class UuidPipe implements PipeTransform<unknown, string | undefined> {
  constructor(private readonly options: { optional?: boolean } = {}) {}

  transform(value: unknown, metadata: ArgumentMetadata): string | undefined {
    if (value === undefined && this.options.optional) return undefined;
    if (typeof value === 'string' && isUUID(value, 'all')) return value;
    const name = metadata.data ?? 'id';
    throw new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: REJECTIONS.VALIDATION_FAILED.message,
      // The value is not echoed: an answer does not repeat what an unknown caller sent.
      errors: [{ path: name, problem: `${name} must be a UUID` }],
      details: {},
    });
  }
}
