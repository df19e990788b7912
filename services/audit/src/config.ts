import { IsInt, Max, Min } from 'class-validator';

/** The audit service's configuration, read from environment variables at start-up. */
export class AuditConfig {
  /** HTTP port. */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3104;
}
