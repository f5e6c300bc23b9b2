import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { createServiceMetricsCatalog, type Registry } from 'core-service';
import { createGatewayMetrics } from 'core-service/gateway';
import { paymentMetricsCatalog } from 'payment-service/src/metrics.js';
import { bonusMetricsCatalog } from 'bonus-service/src/metrics.js';
import { notificationMetricsCatalog } from 'notification-service/src/metrics.js';

/**
 * The dashboard and the alert rules against what the code exports. The registries are built by
 * the services' own registration functions (core-service's `createSubgraphMetrics` and
 * `registerServiceMetrics`, each service's business metrics, the gateway's `createGatewayMetrics`)
 * on idle sources, so a renamed or removed metric fails here, not silently on a dashboard.
 */

const DASHBOARD_FILE = new URL('../observability/grafana-dashboard.json', import.meta.url);
const ALERTS_FILE = new URL('../observability/alerts.yml', import.meta.url);

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; refId: string }>;
  panels?: Panel[];
}
interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { uid: string; title: string; panels: Panel[]; templating: { list: Array<{ query: { query: string } | string }> } };
const alerts = parseYaml(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ name: string; rules: AlertRule[] }> };

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const dashboardExpressions = allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
const alertExpressions = alerts.groups.flatMap((group) => group.rules.map((rule) => rule.expr));

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions, keywords,
 * label names (inside `{}` or after by/without/on/ignoring) or quoted strings. Enough for the
 * expressions in these two files, not a PromQL parser.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const rest = stripped.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest) || PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    // An exponent (1e-9) is not a name.
    if (/[0-9.]$/.test(stripped.slice(0, match.index ?? 0)) && /^e\d*$/i.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

/** Every series name a registry can serve: histograms and summaries add their suffixes. */
async function seriesNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** Names referenced by `expressions` that no registry exports, with the expressions using them. */
export function missingMetrics(expressions: readonly string[], exported: ReadonlySet<string>): Record<string, string[]> {
  const missing: Record<string, string[]> = {};
  for (const expr of expressions) for (const name of metricNamesIn(expr)) if (!exported.has(name)) (missing[name] ??= []).push(expr);
  return missing;
}

async function exportedByThePlatform(): Promise<{ all: Set<string>; byService: Record<string, Set<string>> }> {
  const registries: Record<string, Registry> = {
    'auth-service': createServiceMetricsCatalog('auth-service'),
    'payment-service': paymentMetricsCatalog(),
    'bonus-service': bonusMetricsCatalog(),
    'notification-service': notificationMetricsCatalog(),
    gateway: createGatewayMetrics().registry,
  };
  const byService: Record<string, Set<string>> = {};
  const all = new Set<string>();
  for (const [service, registry] of Object.entries(registries)) {
    byService[service] = await seriesNames(registry);
    for (const name of byService[service]) all.add(name);
  }
  return { all, byService };
}

const platform = await exportedByThePlatform();

describe('observability: the dashboard and alert rules reference only metrics the code exports', () => {
  it('finds the metric names of PromQL expressions, and reports a made-up one as missing', () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, service) (rate(subgraph_operation_duration_seconds_bucket{service=~"$service"}[5m])))')).toEqual([
      'subgraph_operation_duration_seconds_bucket',
    ]);
    expect(metricNamesIn('sum(rate(a_total{outcome="error"}[5m])) / clamp_min(sum(rate(b_total[5m])), 1e-9) > 0.05')).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('max by (job, breaker) (circuit_breaker_state) == 2')).toEqual(['circuit_breaker_state']);
    expect(missingMetrics(['sum(rate(made_up_metric_total[5m])) / sum(rate(payment_transfers_total[5m]))'], platform.all)).toEqual({
      made_up_metric_total: ['sum(rate(made_up_metric_total[5m])) / sum(rate(payment_transfers_total[5m]))'],
    });
  });

  it('every metric the Grafana dashboard queries is exported', () => {
    expect(dashboardExpressions.length).toBeGreaterThan(20);
    expect(missingMetrics(dashboardExpressions, platform.all)).toEqual({});
  });

  it('every metric the alert rules use is exported', () => {
    expect(alertExpressions.length).toBeGreaterThan(5);
    expect(missingMetrics(alertExpressions, platform.all)).toEqual({});
  });

  it('the dashboard covers requests, money, events, queues, breakers, MongoDB and the cache', () => {
    const used = new Set(dashboardExpressions.flatMap(metricNamesIn));
    for (const name of [
      'subgraph_operations_total',
      'subgraph_operation_duration_seconds_bucket',
      'gateway_graphql_requests_total',
      'gateway_graphql_request_duration_seconds_bucket',
      'payment_transfers_total',
      'payment_transferred_amount_minor_total',
      'payment_holds_open',
      'bonus_awards_total',
      'bonus_converted_amount_minor_total',
      'outbox_oldest_pending_age_seconds',
      'event_consumer_lag_entries',
      'event_dead_letter_entries',
      'queue_jobs',
      'circuit_breaker_state',
      'mongodb_pool_connections',
      'mongodb_transaction_retries_total',
      'cache_hits_total',
      'cache_misses_total',
    ])
      expect(used, name).toContain(name);
  });

  it('the alert rules cover outbox lag, dead-letter growth, reconciliation findings, open breakers and error ratios', () => {
    const used = new Set(alertExpressions.flatMap(metricNamesIn));
    for (const name of [
      'outbox_oldest_pending_age_seconds',
      'event_dead_letter_entries',
      'payment_reconciliation_findings_total',
      'circuit_breaker_state',
      'subgraph_operations_total',
      'gateway_graphql_requests_total',
    ]) {
      expect(used, name).toContain(name);
    }
  });

  it('each service serves the SDK metrics and its own; the gateway its own and its breakers', () => {
    const sdk = [
      'subgraph_operations_total',
      'mongodb_pool_connections',
      'mongodb_transactions_total',
      'outbox_pending_entries',
      'event_consumer_lag_entries',
      'event_dead_letter_entries',
      'cache_hits_total',
      'circuit_breaker_state',
      'queue_jobs',
    ];
    for (const service of ['auth-service', 'payment-service', 'bonus-service', 'notification-service'])
      for (const name of sdk) expect(platform.byService[service], `${service} ${name}`).toContain(name);
    expect(platform.byService['payment-service']).toContain('payment_reconciliation_findings_total');
    expect(platform.byService['bonus-service']).toContain('bonus_resolutions_total');
    expect(platform.byService['notification-service']).toContain('notification_deliveries_total');
    expect(platform.byService['gateway']).toContain('circuit_breaker_state');
    expect(platform.byService['auth-service']).not.toContain('payment_transfers_total');
  });

  it("is a provisionable dashboard: a uid, the stack's Prometheus datasource on every query panel, a title and refId per query", () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]+$/);
    for (const panel of allPanels(dashboard.panels).filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: 'prometheus' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      expect(new Set(panel.targets!.map((t) => t.refId)).size, panel.title).toBe(panel.targets!.length);
    }
  });

  it('every alert rule has a unique name, a severity and a summary', () => {
    const rules = alerts.groups.flatMap((group) => group.rules);
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary'], rule.alert).toBeTruthy();
      if (rule.for !== undefined) expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
    }
  });
});
