import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from 'core-service/testing';
import { Client, TRANSFER } from '../support/client.js';

/**
 * The admin operations of API.md (config and audit log) through the gateway, against the
 * platform as `npm start` runs it: every service published its config keys at start-up, and
 * every money movement and admin action lands in the tenant's hash-chained audit log.
 */
const client = new Client();

const CONFIGS = 'query Configs($service: String) { serviceConfigs(service: $service) { service key value defaultValue source sensitive updatedAt updatedBy } }';
const SET = 'mutation Set($service: String!, $key: String!, $value: JSON!) { setServiceConfig(service: $service, key: $key, value: $value) { service key value source sensitive updatedBy } }';
const RESET = 'mutation Reset($service: String!, $key: String!) { resetServiceConfig(service: $service, key: $key) { key value source } }';
const AUDIT = `query Audit($first: Int, $after: String, $filter: AuditFilter) { auditLog(first: $first, after: $after, filter: $filter) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor }
  nodes { id action category outcome service actor { type id } resource { type id } before after data seq hash prevHash correlationId } } }`;

describe('config and audit operations through the gateway', () => {
  it('an admin reads every service’s config with secrets masked, changes one within its schema and resets it; users are refused', async () => {
    const admin = await client.admin();
    const all = (await client.ok(CONFIGS, {}, admin)).serviceConfigs as Array<Record<string, any>>;
    expect([...new Set(all.map((entry) => entry.service))]).toEqual(expect.arrayContaining(['auth-service', 'payment-service']));
    const payout = all.find((entry) => entry.service === 'payment-service' && entry.key === 'payout');
    expect(payout).toMatchObject({ sensitive: true, source: expect.stringMatching(/^(DEFAULT|STORED|ENV)$/) });
    expect(JSON.stringify(all)).not.toMatch(/"(secret|privateKey|apiKey)":"(?!\*\*\*)[^"]+"/);

    const limits = (await client.ok(CONFIGS, { service: 'payment-service' }, admin)).serviceConfigs.find((entry: any) => entry.key === 'limits');
    const changed = { ...limits.value, unknownUserGraceMs: 1_500 };
    try {
      const set = await client.ok(SET, { service: 'payment-service', key: 'limits', value: changed }, admin);
      expect(set.setServiceConfig).toMatchObject({ service: 'payment-service', key: 'limits', value: changed, source: 'STORED', sensitive: false });

      const invalid = await client.gql(SET, { service: 'payment-service', key: 'limits', value: { ...changed, recipientLookupsPerMinute: 0 } }, admin);
      expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', key: 'limits' });
      const unknown = await client.gql(SET, { service: 'payment-service', key: 'no-such-key', value: 1 }, admin);
      expect(unknown.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      const user = await client.newUser('cfg');
      expect((await client.gql(SET, { service: 'payment-service', key: 'limits', value: changed }, user.token)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect((await client.gql(CONFIGS, {}, user.token)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect((await client.gql(CONFIGS, {})).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    } finally {
      const reset = await client.ok(RESET, { service: 'payment-service', key: 'limits' }, admin);
      expect(reset.resetServiceConfig).toMatchObject({ key: 'limits', source: expect.stringMatching(/^(DEFAULT|ENV)$/) });
    }
  });

  it('a transfer and an admin action appear in the tenant’s audit log, sealed into a chain that verifies', async () => {
    const admin = await client.admin();
    const sender = await client.newUser('audit-from');
    const recipient = await client.newUser('audit-to');
    await client.deposit(sender.id, 5_000);
    const { createTransfer } = await client.ok(TRANSFER, { input: { toUserId: recipient.id, amount: 1_234, currency: 'EUR', idempotencyKey: `a-${randomUUID()}` } }, sender.token);

    const entry = await waitFor(
      async () => {
        const page = await client.ok(AUDIT, { first: 5, filter: { resourceType: 'transfer', resourceId: createTransfer.id } }, admin);
        const found = page.auditLog.nodes[0];
        return found !== undefined && found.seq !== null ? found : undefined;
      },
      { what: 'the transfer’s audit entry, sealed', timeoutMs: 20_000 },
    );
    expect(entry).toMatchObject({
      action: 'transfer.completed',
      category: 'MONEY',
      outcome: 'SUCCESS',
      service: 'payment-service',
      actor: { type: 'USER', id: sender.id },
      data: { amount: 1_234, currency: 'EUR', fromUserId: sender.id, toUserId: recipient.id },
    });
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.correlationId).toEqual(expect.any(String));

    const deposits = await client.ok(AUDIT, { first: 1, filter: { action: 'deposit.', actorId: (await client.ok('{ me { id } }', {}, admin)).me.id } }, admin);
    expect(deposits.auditLog.nodes[0]).toMatchObject({ action: 'deposit.completed', category: 'MONEY' });
    const logins = await client.ok(AUDIT, { first: 2, filter: { category: 'SECURITY', resourceId: sender.id } }, admin);
    expect(logins.auditLog.nodes.map((node: any) => node.action)).toEqual(expect.arrayContaining(['user.registered']));

    const verified = await waitFor(
      async () => {
        const report = (await client.ok('{ verifyAuditChain { ok checked headSeq pending firstBroken { seq reason } } }', {}, admin)).verifyAuditChain;
        return report.checked > 0 ? report : undefined;
      },
      { what: 'a verified chain', timeoutMs: 20_000 },
    );
    expect(verified).toMatchObject({ ok: true, firstBroken: null });
    expect((await client.gql(AUDIT, {}, sender.token)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
