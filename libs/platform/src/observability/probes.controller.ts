import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorResult } from '@nestjs/terminus';
import { PostgresEventStore } from '@custody/event-store';
import { MessagingHost } from '@custody/messaging';
import { loadConfig } from '@custody/config';
import { Public } from '@custody/security';
import { ObservabilityConfig } from './config';
import { relayLagSeconds } from './metrics';
import { lookUp, OBSERVABILITY, storeQuery, type ObservabilityOptions } from './observability.module';

/**
 * GET /health/live: the process answers (restart it if not). GET /health/ready: it can do its
 * work (take it out of the load balancer if not): the database answers, the consumer is
 * connected and has its assignment from the group and has not waited on one message (a transient
 * failure being retried) longer than READY_MAX_CONSUMER_BLOCKED_SECONDS, the service's relay is not further behind
 * the store's head than READY_MAX_RELAY_LAG_SECONDS. Every instance, standby or active, measures
 * that distance from the shared checkpoint: a relay that reads nothing (stalled, or no instance
 * active) turns them unready, where counting only events already read would stay green.
 */
@Controller('health')
export class ProbesController {
  private readonly config: ObservabilityConfig;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {
    const options = this.find<ObservabilityOptions>(OBSERVABILITY);
    this.config = options?.config ?? loadConfig(ObservabilityConfig);
  }

  @Public()
  @Get('live')
  @HealthCheck()
  live(@Res({ passthrough: true }) res: { status(code: number): unknown }): Promise<HealthCheckResult | object> {
    return this.answer(res, [async () => this.indicator.check('process').up({ pid: process.pid, uptimeSeconds: Math.round(process.uptime()) })]);
  }

  @Public()
  @Get('ready')
  @HealthCheck()
  ready(@Res({ passthrough: true }) res: { status(code: number): unknown }): Promise<HealthCheckResult | object> {
    const store = lookUp(this.moduleRef, PostgresEventStore);
    const messaging = lookUp(this.moduleRef, MessagingHost);
    return this.answer(res, [
      ...(store ? [() => this.database(store)] : []),
      ...(messaging ? [async () => this.consumer(messaging), async () => this.relay(messaging)] : []),
    ]);
  }

  private async answer(res: { status(code: number): unknown }, checks: Array<() => Promise<HealthIndicatorResult>>): Promise<HealthCheckResult | object> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as object;
    }
  }

  private async database(store: PostgresEventStore): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('database');
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        storeQuery(store)!('SELECT 1'),
        new Promise((_, fail) => (timer = setTimeout(() => fail(new Error(`no answer in ${this.config.READY_CHECK_TIMEOUT_MS} ms`)), this.config.READY_CHECK_TIMEOUT_MS))),
      ]);
      return check.up({ milliseconds: Date.now() - started });
    } catch (error) {
      return check.down({ message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Connected and joined, and not waiting on one message (a transient failure retried) for longer
   * than READY_MAX_CONSUMER_BLOCKED_SECONDS: the messages it waits on are listed.
   */
  private consumer(messaging: MessagingHost): HealthIndicatorResult {
    const check = this.indicator.check('consumer');
    const status = messaging.consumerStatus();
    if (!status) return check.up({ configured: false });
    const blockedSeconds = Math.max(0, ...status.blocked.map((blocked) => blocked.seconds));
    const details = {
      groupId: status.groupId,
      connected: status.connected,
      joined: status.joined,
      assignment: status.assignment,
      ...(status.blocked.length > 0
        ? {
            blocked: status.blocked.map(({ topic, partition, offset, eventId, type, seconds, code }) => ({ topic, partition, offset, eventId, type, seconds: Math.round(seconds), code })),
            maxBlockedSeconds: this.config.READY_MAX_CONSUMER_BLOCKED_SECONDS,
          }
        : {}),
    };
    return status.connected && status.joined && blockedSeconds <= this.config.READY_MAX_CONSUMER_BLOCKED_SECONDS ? check.up(details) : check.down(details);
  }

  private relay(messaging: MessagingHost): HealthIndicatorResult {
    const check = this.indicator.check('relay');
    const status = messaging.relayStatus();
    if (!status) return check.up({ configured: false });
    const lagSeconds = relayLagSeconds(status, Date.now());
    const details = {
      active: status.isActive,
      pendingEvents: status.pendingEvents,
      ...(status.behindEvents !== undefined ? { behindEvents: status.behindEvents } : {}),
      lagSeconds,
      maxLagSeconds: this.config.READY_MAX_RELAY_LAG_SECONDS,
    };
    return lagSeconds <= this.config.READY_MAX_RELAY_LAG_SECONDS ? check.up(details) : check.down(details);
  }

  private find<T>(token: symbol): T | undefined {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}
