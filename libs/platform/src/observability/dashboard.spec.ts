import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    const fromDatabases = ['custody_deadlines_missed', 'custody_audit_findings_open', 'custody_ledger_size'];
    for (const name of [...ours, ...fromDatabases]) {
      expect({ name, shown: expressions.some((expr) => expr.includes(name)) }).toEqual({ name, shown: true });
    }
  });

  it('is scraped from the four services by the provisioned Prometheus', () => {
    const prometheus = readFileSync(join(deploy, 'prometheus.yml'), 'utf8');
    for (const service of ['intake', 'transfer', 'custody', 'audit']) expect(prometheus).toContain(`${service}:3000`);
    expect(prometheus).toContain('metrics_path: /metrics');
  });
});
