import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MessagingHost } from '@custody/messaging';
import { ServiceMetrics } from './metrics';

const deploy = join(__dirname, '..', '..', '..', '..', 'deploy', 'observability');

describe('the provisioned Grafana dashboard', () => {
  const dashboard = JSON.parse(readFileSync(join(deploy, 'grafana', 'dashboards', 'custody-operations.json'), 'utf8')) as {
    panels: Array<{ type: string; targets?: Array<{ expr: string }> }>;
  };
  const expressions = dashboard.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);

  it('shows every figure the services export', async () => {
    const metrics = new ServiceMetrics('example');
    metrics.watchMessaging({ relayStatus: () => undefined, consumerStatus: () => undefined, consumerLag: async () => [] } as unknown as MessagingHost);
    const ours = metrics.registry.getMetricsAsArray().map((metric) => metric.name).filter((name) => name.startsWith('custody_'));
    const fromDatabases = ['custody_deadlines_missed', 'custody_audit_findings_open', 'custody_ledger_size', 'custody_relay_rejected_stored', 'custody_audit_events_missing', 'custody_audit_event_id_conflicts', 'custody_audit_event_signatures_refused', 'custody_ledger_verified_intact', 'custody_ledger_verified_age_seconds'];
    for (const name of [...ours, ...fromDatabases]) {
      expect({ name, shown: expressions.some((expr) => expr.includes(name)) }).toEqual({ name, shown: true });
    }
  });

  it('alerts on what the services export: refused events, skipped revisions, missing events, forged events, a broken or unverified ledger', () => {
    const prometheus = readFileSync(join(deploy, 'prometheus.yml'), 'utf8');
    expect(prometheus).toContain('/etc/prometheus/alerts.yml');
    const compose = readFileSync(join(deploy, '..', '..', 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('./deploy/observability/alerts.yml:/etc/prometheus/alerts.yml:ro');
    const rules = (parse(readFileSync(join(deploy, 'alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
    const metrics = new ServiceMetrics('example');
    metrics.watchMessaging({ relayStatus: () => undefined, consumerStatus: () => undefined, consumerLag: async () => [] } as unknown as MessagingHost);
    const exported = [...metrics.registry.getMetricsAsArray().map((metric) => metric.name), 'custody_relay_rejected_stored', 'custody_audit_events_missing', 'custody_audit_event_id_conflicts', 'custody_audit_event_signatures_refused', 'custody_ledger_verified_intact', 'custody_ledger_verified_age_seconds'];
    expect(rules.map((r) => r.alert).sort()).toEqual(['CustodyConsumerRevisionGap', 'CustodyEventIdConflict', 'CustodyEventMissing', 'CustodyEventSignatureInvalid', 'CustodyLedgerVerificationBroken', 'CustodyLedgerVerificationStale', 'CustodyRelayRejectedEvent']);
    for (const rule of rules) {
      const names = rule.expr.match(/custody_[a-z_]+/g) ?? [];
      expect({ alert: rule.alert, names: names.length > 0 && names.every((name) => exported.includes(name)) }).toEqual({ alert: rule.alert, names: true });
    }
  });

  it('is scraped from the four services by the provisioned Prometheus', () => {
    const prometheus = readFileSync(join(deploy, 'prometheus.yml'), 'utf8');
    for (const service of ['intake', 'transfer', 'custody', 'audit']) expect(prometheus).toContain(`${service}:3000`);
    expect(prometheus).toContain('metrics_path: /metrics');
  });
});
