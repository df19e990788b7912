import { type DynamicModule, Module } from '@nestjs/common';
import { HealthController, SERVICE_NAME } from './health.controller';

/** Serves GET /health for one named service. */
@Module({})
export class HealthModule {
  static forService(service: string): DynamicModule {
    return {
      module: HealthModule,
      controllers: [HealthController],
      providers: [{ provide: SERVICE_NAME, useValue: service }],
    };
  }
}
