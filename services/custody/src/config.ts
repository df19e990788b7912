import { IsInt, Max, Min } from 'class-validator';

/** The custody service's configuration, read from environment variables at start-up. */
export class CustodyConfig {
  /** HTTP port. */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3103;
}
