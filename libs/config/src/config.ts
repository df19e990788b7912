import { plainToInstance } from 'class-transformer';
import { IsInt, Max, Min, validateSync, type ValidationError } from 'class-validator';

/** Raised at start-up when an environment variable is missing or invalid; names each one. */
export class InvalidConfigurationError extends Error {
  constructor(readonly problems: Array<{ variable: string; problem: string }>) {
    super(
      'Invalid configuration: ' + problems.map((p) => `${p.variable}: ${p.problem}`).join('; '),
    );
    this.name = 'InvalidConfigurationError';
  }
}

/**
 * Reads a configuration class from environment variables: each property of the class is the
 * variable of the same name; class-validator decorators say what is valid, and defaults are
 * the property initialisers. Throws InvalidConfigurationError naming every bad variable.
 */
export function loadConfig<T extends object>(
  configClass: new () => T,
  env: Record<string, string | undefined> = process.env,
): T {
  const defaults = new configClass() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    raw[key] = env[key] === undefined ? defaults[key] : convertLike(defaults[key], env[key]);
  }
  const config = plainToInstance(configClass, raw);
  const errors = validateSync(config, { whitelist: false, forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new InvalidConfigurationError(errors.map(describe));
  }
  return config;
}

function describe(error: ValidationError): { variable: string; problem: string } {
  const messages = Object.values(error.constraints ?? {});
  return { variable: error.property, problem: messages.join(', ') || 'invalid' };
}

/** Environment variables are strings: read one as the type of its default. */
function convertLike(defaultValue: unknown, value: string): unknown {
  if (typeof defaultValue === 'number') return value.trim() === '' ? Number.NaN : Number(value);
  if (typeof defaultValue === 'boolean') {
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return value;
  }
  return value;
}

/**
 * A setting that is a whole number from `min` (and up to `max`): one decorator for the rule most
 * numeric settings share (class-validator's IsInt, Min and Max, with their messages).
 */
export function WholeNumber(min?: number, max?: number): PropertyDecorator {
  const rules = [IsInt(), ...(min === undefined ? [] : [Min(min)]), ...(max === undefined ? [] : [Max(max)])];
  return (target, property) => rules.forEach((rule) => rule(target, property));
}
