import { SERVICE_NAMES, type ServiceName } from '../../e2e/src/harness/service-process';

/**
 * The services' settings for a benchmark's cases. The cases compress a month of acts into a
 * second, so their acts are dated in the past; a ministry records its acts as they happen. The
 * late-recording threshold keeps these acts in time (Rule 17, docs/domain.md): otherwise each act
 * would raise a `recorded-in-time` finding (16 per case), and the audit service would spend the run
 * raising findings that real traffic does not raise.
 */
export const RECORDED_IN_TIME: Partial<Record<ServiceName, Record<string, string>>> = Object.fromEntries(
  SERVICE_NAMES.map((name) => [name, { COMMAND_LATE_RECORDING_DAYS: '3650' }]),
);
