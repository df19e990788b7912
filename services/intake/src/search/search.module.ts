import { Module } from '@nestjs/common';
import { InmateSearchController } from './inmate-search.controller';
import { InmateSearchProjection } from './inmate-search.projection';

@Module({
  controllers: [InmateSearchController],
  providers: [InmateSearchProjection],
})
export class SearchModule {}
