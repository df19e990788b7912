import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsIsoDate, IsLegalBasis, IsStateCode, reject, type StateCode } from '@custody/contracts';
import { evaluateCase } from '@custody/legal';
import { PersonalDataRead } from '@custody/platform';
import { Requires } from '@custody/security';
import { InmateCommands } from '../inmate/inmate.commands';
import { InmateJurisdiction } from '../inmate/inmate.jurisdiction';
import { inmateIdParam } from '../inmate/inmate.controller';
import { screeningFacts } from './screening';

export class ScreeningQuery {
  @IsStateCode() receivingState!: StateCode;
  /** An id of the legal catalogue: ETS112, FD2008_909, BE_AL_2010, LEASE_DK_XK_GJILAN… */
  @IsLegalBasis() basis!: string;
  /** The day to evaluate as of (the day the request would be received); today (UTC) by default. */
  @IsOptional() @IsIsoDate() asOf?: string;
}

/** The legal rules applied to an inmate's record: the same evaluateCase as the transfer service. */
@ApiTags('screening')
@Controller('inmates')
export class ScreeningController {
  constructor(private readonly commands: InmateCommands) {}

  @Get(':id/screening')
  @Requires('inmate:screen', InmateJurisdiction)
  @PersonalDataRead({ kind: 'inmate-screening', persons: (screening: { inmateId: string }) => [screening.inmateId] })
  @ApiOperation({ summary: 'For each rule of the basis: met / not-met / needs-decision, with the reason (e.g. ?receivingState=AL&basis=ETS112).' })
  async screen(@Param('id', inmateIdParam) id: string, @Query() query: ScreeningQuery) {
    const { state } = await this.commands.load(id);
    if (state.status === 'unregistered') throw reject('INMATE_NOT_FOUND', { inmateId: id });
    if (!state.sentence) throw reject('SENTENCE_NOT_RECORDED', { inmateId: id });
    const asOf = query.asOf ?? new Date().toISOString().slice(0, 10);
    const screening = evaluateCase(screeningFacts({ ...state, sentence: state.sentence }, query.basis, query.receivingState, asOf));
    return { inmateId: id, basis: query.basis, sendingState: state.sendingState, receivingState: query.receivingState, asOf, ...screening };
  }
}
