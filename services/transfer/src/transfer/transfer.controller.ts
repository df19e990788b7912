import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AcknowledgeCertificateReceipt, CancelTransfer, CommandRejection, EndTransferObstacle, EvaluateEligibility, ExtendDeadline,
  IssueCertificate, isStateCode, RecordConsent, RecordDispatch, RecordInmateNotification, RecordInmateOpinion, RecordReceipt,
  RecordReceivingStateDecision, ReportTransferObstacle, RequestPlaceReservation, RequestTransfer, ScheduleTransfer,
  WithdrawTransfer, reject, type TransferCommand, type TransferCommandType,
} from '@custody/contracts';
import { type Caller, CommandCaller, commandMetadata, PersonalDataRead } from '@custody/platform';
import { CurrentPrincipal, Requires, visibleStates, type Principal } from '@custody/security';
import { TransferCommands } from './transfer.commands';
import { CaseJurisdiction, RequestJurisdiction } from './transfer.jurisdiction';
import { TransferProjection } from './transfer.projection';
import { STAGES, type Stage } from './transfer.state';

type Body<T> = T & { transferId: string; commandId: string; occurredAt: string };

/** What the access log reads of a list of cases: the person and the two states of each. */
type CaseList = { items: Array<{ inmateId: string; sendingState: string; receivingState?: string }> };

/**
 * HTTP in: one route per command a ministry sends (the body is the command, as on
 * custody.transfer.commands), and the reads. Translates and delegates; the rules are in the decider.
 * The facts the service records itself (a place confirmed or declined and the completion, from
 * custody's events; a missed deadline, from the scheduler) have no route: see
 * RECORDED_BY_THE_SERVICE in transfer.rights.ts.
 *
 * Who may call what (Rule 6: the sending state requests, the receiving state decides):
 * `transfer:request` for the sending state's steps (the request and what prepares it, the
 * certificate, the withdrawal, the dispatch); `transfer:decide` for the receiving state's (the
 * receipt of the certificate, the decision, the receipt of the person); `transfer:act` for the
 * steps either state takes (notifications, deadline extensions and obstacles, the request for a
 * place, the schedule, a cancellation); reads for both; lists filtered to the caller's states.
 */
@ApiTags('transfers')
@Controller('transfers')
export class TransferController {
  constructor(
    private readonly commands: TransferCommands,
    private readonly projection: TransferProjection,
  ) {}

  private async run(type: TransferCommandType, body: Body<object>, pathId: string | undefined, caller: Caller) {
    if (pathId !== undefined && pathId !== body.transferId) {
      throw new CommandRejection('VALIDATION_FAILED', 'The transferId of the body differs from the case in the path.', {}, [
        { path: 'transferId', problem: `must be ${pathId}, the case in the path` },
      ]);
    }
    const { events, state, revision } = await this.commands.execute({ type, data: body } as TransferCommand, commandMetadata(body, caller));
    return { transferId: body.transferId, stage: state.stage, revision, events: events.map((e) => ({ id: e.id, type: e.type })) };
  }

  @ApiOperation({ summary: 'Requests a transfer of a person of the sending state to the receiving state (Rule 6: the sending state requests).' })
  @Post() @Requires('transfer:request', RequestJurisdiction)
  request(@Body() body: RequestTransfer, @CommandCaller() caller: Caller) { return this.run('RequestTransfer', body, undefined, caller); }

  @ApiOperation({ summary: 'Records the evaluation of the case\'s eligibility under its legal basis.' })
  @Post(':id/eligibility') @HttpCode(200) @Requires('transfer:request', CaseJurisdiction)
  evaluate(@Param('id') id: string, @Body() body: EvaluateEligibility, @CommandCaller() caller: Caller) { return this.run('EvaluateEligibility', body, id, caller); }

  @ApiOperation({ summary: 'Records the person\'s opinion on the transfer.' })
  @Post(':id/opinion') @HttpCode(200) @Requires('transfer:request', CaseJurisdiction)
  opinion(@Param('id') id: string, @Body() body: RecordInmateOpinion, @CommandCaller() caller: Caller) { return this.run('RecordInmateOpinion', body, id, caller); }

  @ApiOperation({ summary: 'Records the person\'s consent, where the legal basis requires it.' })
  @Post(':id/consent') @HttpCode(200) @Requires('transfer:request', CaseJurisdiction)
  consent(@Param('id') id: string, @Body() body: RecordConsent, @CommandCaller() caller: Caller) { return this.run('RecordConsent', body, id, caller); }

  @ApiOperation({ summary: 'Records that the person was notified of a step of the case.' })
  @Post(':id/notifications') @HttpCode(200) @Requires('transfer:act', CaseJurisdiction)
  notify(@Param('id') id: string, @Body() body: RecordInmateNotification, @CommandCaller() caller: Caller) { return this.run('RecordInmateNotification', body, id, caller); }

  @ApiOperation({ summary: 'Issues the certificate to the receiving state.' })
  @Post(':id/certificate') @HttpCode(200) @Requires('transfer:request', CaseJurisdiction)
  certificate(@Param('id') id: string, @Body() body: IssueCertificate, @CommandCaller() caller: Caller) { return this.run('IssueCertificate', body, id, caller); }

  @ApiOperation({ summary: 'Acknowledges receipt of the certificate (the receiving state).' })
  @Post(':id/certificate-receipt') @HttpCode(200) @Requires('transfer:decide', CaseJurisdiction)
  certificateReceipt(@Param('id') id: string, @Body() body: AcknowledgeCertificateReceipt, @CommandCaller() caller: Caller) { return this.run('AcknowledgeCertificateReceipt', body, id, caller); }

  @ApiOperation({ summary: 'Records the receiving state\'s decision on the request.' })
  @Post(':id/decision') @HttpCode(200) @Requires('transfer:decide', CaseJurisdiction)
  decision(@Param('id') id: string, @Body() body: RecordReceivingStateDecision, @CommandCaller() caller: Caller) { return this.run('RecordReceivingStateDecision', body, id, caller); }

  @ApiOperation({ summary: 'Extends a running deadline of the case.' })
  @Post(':id/deadline-extensions') @HttpCode(200) @Requires('transfer:act', CaseJurisdiction)
  extend(@Param('id') id: string, @Body() body: ExtendDeadline, @CommandCaller() caller: Caller) { return this.run('ExtendDeadline', body, id, caller); }


  @ApiOperation({ summary: 'Reports an obstacle that stops the case\'s deadlines.' })
  @Post(':id/obstacle') @HttpCode(200) @Requires('transfer:act', CaseJurisdiction)
  obstacle(@Param('id') id: string, @Body() body: ReportTransferObstacle, @CommandCaller() caller: Caller) { return this.run('ReportTransferObstacle', body, id, caller); }

  @ApiOperation({ summary: 'Ends a reported obstacle.' })
  @Post(':id/obstacle-end') @HttpCode(200) @Requires('transfer:act', CaseJurisdiction)
  endObstacle(@Param('id') id: string, @Body() body: EndTransferObstacle, @CommandCaller() caller: Caller) { return this.run('EndTransferObstacle', body, id, caller); }

  @ApiOperation({ summary: 'Asks custody for a place for the person in a facility.' })
  @Post(':id/reservation') @HttpCode(200) @Requires('transfer:act', CaseJurisdiction)
  reserve(@Param('id') id: string, @Body() body: RequestPlaceReservation, @CommandCaller() caller: Caller) { return this.run('RequestPlaceReservation', body, id, caller); }



  @ApiOperation({ summary: 'Schedules the hand-over.' })
  @Post(':id/schedule') @HttpCode(200) @Requires('transfer:act', CaseJurisdiction)
  schedule(@Param('id') id: string, @Body() body: ScheduleTransfer, @CommandCaller() caller: Caller) { return this.run('ScheduleTransfer', body, id, caller); }

  @ApiOperation({ summary: 'Records the dispatch of the person by the sending state.' })
  @Post(':id/dispatch') @HttpCode(200) @Requires('transfer:request', CaseJurisdiction)
  dispatch(@Param('id') id: string, @Body() body: RecordDispatch, @CommandCaller() caller: Caller) { return this.run('RecordDispatch', body, id, caller); }

  @ApiOperation({ summary: 'Records the receipt of the person by the receiving state.' })
  @Post(':id/receipt') @HttpCode(200) @Requires('transfer:decide', CaseJurisdiction)
  receipt(@Param('id') id: string, @Body() body: RecordReceipt, @CommandCaller() caller: Caller) { return this.run('RecordReceipt', body, id, caller); }

  @ApiOperation({ summary: 'Withdraws the request (the sending state, before it is too late).' })
  @Post(':id/withdrawal') @HttpCode(200) @Requires('transfer:request', CaseJurisdiction)
  withdraw(@Param('id') id: string, @Body() body: WithdrawTransfer, @CommandCaller() caller: Caller) { return this.run('WithdrawTransfer', body, id, caller); }

  @ApiOperation({ summary: 'Cancels the case.' })
  @Post(':id/cancellation') @HttpCode(200) @Requires('transfer:act', CaseJurisdiction)
  cancel(@Param('id') id: string, @Body() body: CancelTransfer, @CommandCaller() caller: Caller) { return this.run('CancelTransfer', body, id, caller); }


  /** The case now (read from its stream): its stage, the timeline of its steps, its open deadlines. */
  @ApiOperation({ summary: 'The case now: its stage, the timeline of its steps, its open deadlines.' })
  @Get(':id')
  @Requires('transfer:read', CaseJurisdiction)
  @PersonalDataRead({ kind: 'case', persons: (transfer: { inmateId: string }) => [transfer.inmateId] })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const found = await this.projection.current(id);
    if (!found) throw reject('TRANSFER_NOT_FOUND', { transferId: id });
    return found;
  }

  /** The read model: cases by stage, receiving state, and whether a deadline is overdue; only cases of the caller's states. */
  @Get()
  @Requires('transfer:search')
  @PersonalDataRead({
    kind: 'case-list',
    persons: (list: CaseList) => list.items.map((item) => item.inmateId),
    jurisdictions: (list: CaseList) => list.items.flatMap((item) => [item.sendingState, item.receivingState]),
  })
  @ApiOperation({ summary: 'Cases by stage, receiving state and overdue deadline; only cases of the caller\'s states.' })
  async list(
    @Query('state') stage?: string,
    @Query('receivingState') receivingState?: string,
    @Query('overdue') overdue?: string,
    @Query('limit') limit?: string,
    @CurrentPrincipal() principal?: Principal,
  ) {
    const problems = [
      ...(stage !== undefined && !STAGES.includes(stage as Stage) ? [{ path: 'state', problem: `must be one of ${STAGES.join(', ')}` }] : []),
      ...(receivingState !== undefined && !isStateCode(receivingState) ? [{ path: 'receivingState', problem: 'must be an ISO 3166-1 alpha-2 state code' }] : []),
      ...(overdue !== undefined && !['true', 'false'].includes(overdue) ? [{ path: 'overdue', problem: 'must be true or false' }] : []),
      ...(limit !== undefined && !/^[1-9]\d{0,2}$/.test(limit) ? [{ path: 'limit', problem: 'must be a whole number from 1 to 999' }] : []),
    ];
    if (problems.length > 0) throw new CommandRejection('VALIDATION_FAILED', 'Some query parameters are invalid.', {}, problems);
    const items = await this.projection.list({
      stage: stage as Stage | undefined, receivingState, isOverdue: overdue === undefined ? undefined : overdue === 'true', limit: Number(limit ?? 100),
      states: visibleStates(principal),
    });
    return { items };
  }
}
