import { IsInt, Max, Min } from 'class-validator';

/** The transfer service's configuration, read from environment variables at start-up. */
export class TransferConfig {
  /** HTTP port. */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3102;
}
