import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Min, registerDecorator, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { IsId, IsText } from '../common/formats';

/** One failing field: where (a dotted path such as `identity.documents.0.number`) and what is wrong. */
export class FieldError {
  @IsText(500)
  path!: string;

  @IsText(1000)
  problem!: string;
}

/** Details of a rejection: a flat object of short scalar values (e.g. `{ existingInmateId }`). */
function IsRejectionDetails(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isRejectionDetails',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be an object of at most 20 strings, numbers or booleans' },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length <= 20 &&
          Object.values(value).every((v) => ['number', 'boolean'].includes(typeof v) || (typeof v === 'string' && v.length <= 500)),
      },
    });
    // A function replaces what the generator inferred from the reflected type (a $ref to Object).
    JSONSchema(() => ({
      type: 'object',
      maxProperties: 20,
      additionalProperties: { oneOf: [{ type: 'string', maxLength: 500 }, { type: 'number' }, { type: 'boolean' }] },
    }))(target, propertyName as string);
  };
}

/**
 * Command results (topic `custody.command-results`), keyed by the command's correlation id so the
 * sender can match them.
 */
export class CommandAcceptedPayload {
  @IsId()
  commandId!: string;

  @IsText(64)
  commandType!: string;

  /** The ids of the events the command produced (empty when it changed nothing, e.g. a re-sent command). */
  @IsArray()
  @ArrayMaxSize(1000)
  @IsId({ each: true })
  eventIds!: string[];

  /** The revision of the aggregate's stream after the append. */
  @IsOptional()
  @IsInt()
  @Min(0)
  streamRevision?: number;
}

/** `commandId` and `commandType` are absent only when the message was too broken to read them. */
export class CommandRejectedPayload {
  @IsOptional()
  @IsId()
  commandId?: string;

  @IsOptional()
  @IsText(64)
  commandType?: string;

  /** A code of the rejection catalogue (e.g. `CONSENT_REQUIRED`). */
  @IsText(64)
  code!: string;

  /** A sentence a person can act on. */
  @IsText(2000)
  message!: string;

  @IsArray()
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => FieldError)
  errors!: FieldError[];

  /** Facts a client can act on, e.g. `{ existingInmateId }` for `INMATE_ALREADY_REGISTERED`. */
  @IsOptional()
  @IsRejectionDetails()
  details?: Record<string, string | number | boolean>;
}
