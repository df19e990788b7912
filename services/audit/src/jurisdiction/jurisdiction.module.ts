import { Module } from '@nestjs/common';
import { CheckTargetJurisdiction, FacilityJurisdiction, InmateJurisdiction } from './jurisdiction.resolvers';
import { LedgerJurisdictions } from './ledger-jurisdictions';

/** Whose states a ledger subject belongs to: the routes' resolvers and the filter of lists. */
@Module({
  providers: [LedgerJurisdictions, InmateJurisdiction, FacilityJurisdiction, CheckTargetJurisdiction],
  exports: [LedgerJurisdictions, InmateJurisdiction, FacilityJurisdiction, CheckTargetJurisdiction],
})
export class JurisdictionModule {}
