import { Module } from '@nestjs/common';
import { HealthModule } from '@custody/platform';

@Module({
  imports: [HealthModule.forService('intake')],
})
export class AppModule {}
