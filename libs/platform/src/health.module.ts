import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, SERVICE_NAME } from './health.controller';
import { ProbesController } from './observability/probes.controller';

/** Serves GET /health (the service's name), /health/live and /health/ready for one named service. */
@Module({})
export class HealthModule {
  static forService(service: string): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
      controllers: [HealthController, ProbesController],
      providers: [{ provide: SERVICE_NAME, useValue: service }],
    };
  }
}
