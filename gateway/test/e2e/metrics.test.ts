import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { metricValue, scrapeMetrics, waitFor, type MetricSample } from 'core-service/testing';
import { Client, TRANSFER } from '../support/client.js';

/**
 * `/metrics` of every process of the running platform, scraped before and after money moves
 * through the gateway. The movements use CHF, a currency no other e2e file moves, so the
 * payment and bonus counters must move by exactly these amounts even while other files run.
 */
const client = new Client();
const platform = client.platform;

const UPSERT = 'mutation($input: BonusTemplateInput!) { upsertBonusTemplate(input: $input) { id code } }';
const CLAIM = 'mutation($code: String!, $key: String!) { claimBonus(templateCode: $code, idempotencyKey: $key) { id status amount } }';

function serviceUrl(name: string): string {
  const service = platform.services.find((s) => s.name === name);
  if (service === undefined) throw new Error(`${name} is not part of the platform (${platform.services.map((s) => s.name).join(', ')})`);
  return service.url;
}

async function scrapeAll(): Promise<Record<string, MetricSample[]>> {
  const names = ['auth-service', 'payment-service', 'bonus-service', 'notification-service'];
  const scraped = await Promise.all(names.map((name) => scrapeMetrics(serviceUrl(name))));
  return { ...Object.fromEntries(names.map((name, i) => [name, scraped[i]!])), gateway: await scrapeMetrics(platform.gatewayBase) };
}

describe('/metrics of every process', () => {
  it('a deposit, a transfer and a bonus claim through the gateway move the business counters of payment, bonus and notification, and the request counters', async () => {
    const admin = await client.admin();
    const alice = await client.newUser('metrics-alice');
    const bob = await client.newUser('metrics-bob');
    const code = `METRICS_${randomUUID().slice(0, 8).toUpperCase()}`;
    await client.ok(UPSERT, { input: { code, name: 'Metrics', type: 'WELCOME', currency: 'CHF', amount: 321, turnoverMultiplier: 0, validForDays: 7 } }, admin);
    const before = await scrapeAll();

    await client.newUser('metrics-carol');
    await client.deposit(alice.id, 10_007, 'CHF');
    const transfer = await client.ok(TRANSFER, { input: { toUserId: bob.id, amount: 2_503, currency: 'CHF', idempotencyKey: `e2e-${randomUUID()}` } }, alice.token);
    expect(transfer.createTransfer.status).toBe('completed');
    const claimed = await client.ok(CLAIM, { code, key: `e2e-${randomUUID()}` }, bob.token);
    expect(claimed.claimBonus).toMatchObject({ status: 'CONVERTED', amount: 321 });

    const delta = (after: Record<string, MetricSample[]>, service: string, name: string, labels: Record<string, string> = {}): number =>
      metricValue(after[service]!, name, labels) - metricValue(before[service]!, name, labels);
    // Counted after each commit, in the request: already there when the answer arrived.
    const after = await scrapeAll();
    expect(delta(after, 'payment-service', 'payment_transfers_total', { type: 'deposit', currency: 'CHF', outcome: 'completed' })).toBe(1);
    expect(delta(after, 'payment-service', 'payment_transfers_total', { type: 'transfer', currency: 'CHF', outcome: 'completed' })).toBe(1);
    expect(delta(after, 'payment-service', 'payment_transferred_amount_minor_total', { type: 'deposit', currency: 'CHF' })).toBe(10_007);
    expect(delta(after, 'payment-service', 'payment_transferred_amount_minor_total', { type: 'transfer', currency: 'CHF' })).toBe(2_503);
    expect(delta(after, 'bonus-service', 'bonus_awards_total', { type: 'WELCOME', currency: 'CHF' })).toBe(1);
    expect(delta(after, 'bonus-service', 'bonus_awarded_amount_minor_total', { type: 'WELCOME', currency: 'CHF' })).toBe(321);
    expect(delta(after, 'bonus-service', 'bonus_resolutions_total', { type: 'WELCOME', currency: 'CHF', status: 'converted' })).toBe(1);
    expect(delta(after, 'bonus-service', 'bonus_converted_amount_minor_total', { type: 'WELCOME', currency: 'CHF' })).toBe(321);
    expect(delta(after, 'payment-service', 'subgraph_operations_total', { field: 'createTransfer', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta(after, 'auth-service', 'subgraph_operations_total', { field: 'register', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta(after, 'gateway', 'gateway_graphql_requests_total', { operation: 'mutation', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(delta(after, 'payment-service', 'mongodb_transactions_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(2);

    // Notifications come from the transfer's event, asynchronously: the recipient's deliveries.
    await waitFor(
      async () => {
        const notification = await scrapeMetrics(serviceUrl('notification-service'));
        return metricValue(notification, 'notification_deliveries_total') > metricValue(before['notification-service']!, 'notification_deliveries_total');
      },
      { what: 'notification deliveries to be counted', timeoutMs: 30_000 },
    );

    // The operational gauges are served by every service: outbox, consumer group, breakers.
    for (const service of ['payment-service', 'bonus-service', 'notification-service', 'auth-service']) {
      const names = new Set(after[service]!.map((sample) => sample.name));
      for (const name of ['outbox_pending_entries', 'outbox_oldest_pending_age_seconds', 'event_dead_letter_entries', 'mongodb_pool_connections', 'mongodb_transactions_total']) {
        expect(names, `${service} ${name}`).toContain(name);
      }
    }
    expect(after['gateway']!.filter((s) => s.name === 'circuit_breaker_state').map((s) => s.labels['breaker'])).toEqual(expect.arrayContaining(['payment']));
  });
});
