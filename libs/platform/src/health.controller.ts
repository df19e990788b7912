import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '@custody/security';

/** The name under which a service reports itself on /health. */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** GET /health: the process is up and serving HTTP. */
@Controller('health')
export class HealthController {
  constructor(@Inject(SERVICE_NAME) private readonly service: string) {}

  @Public()
  @Get()
  health(): { status: 'ok'; service: string } {
    return { status: 'ok', service: this.service };
  }
}
