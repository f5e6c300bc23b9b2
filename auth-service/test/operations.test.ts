import { publishConfigCatalog, registerServiceConfigDefaults, type AuditEntryDocument } from 'core-service';
import { type } from 'arktype';
import { describe, expect, it } from 'vitest';
import { registerAuthConfigDefaults } from '../src/settings.js';
import { errorCode, eventually, startAuth, uniqueEmail } from './support/harness.js';

const CONFIGS = `query($s: String) { serviceConfigs(service: $s) { service key value defaultValue source sensitive updatedAt updatedBy } }`;
const SET = `mutation($s: String!, $k: String!, $v: JSON!) { setServiceConfig(service: $s, key: $k, value: $v) { key value source updatedBy } }`;
const RESET = `mutation($s: String!, $k: String!) { resetServiceConfig(service: $s, key: $k) { key value source } }`;
const AUDIT = `query($first: Int, $after: String, $f: AuditFilter) { auditLog(first: $first, after: $after, filter: $f) {
  totalCount pageInfo { hasNextPage endCursor }
  nodes { id action category outcome service actor { type id } resource { type id } before after data seq hash prevHash } } }`;
const VERIFY = `query { verifyAuditChain { ok checked headSeq pending firstBroken { seq reason } } }`;

/** A second service's keys in this test's catalog, as that service publishes them at start-up. */
async function publishPaymentsLike(auth: Awaited<ReturnType<typeof startAuth>>): Promise<string> {
  const service = `payments-${auth.fixture.id}`;
  registerServiceConfigDefaults(service, {
    limits: { value: { lookupsPerMinute: 30 }, schema: type({ lookupsPerMinute: '1 <= number.integer <= 10000' }) as never },
    payout: { value: { url: null, apiKey: null }, sensitivePaths: ['payout.apiKey'] },
  });
  await publishConfigCatalog(auth.service.deps.coreDb, service, {});
  return service;
}

describe('platform operations (config and audit) served by auth-service', () => {
  it('an admin lists, sets and resets another service’s config, masked and validated; a user is refused', async () => {
    const auth = await startAuth();
    const service = await publishPaymentsLike(auth);
    registerAuthConfigDefaults();
    await publishConfigCatalog(auth.service.deps.coreDb, 'auth-service', {});
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const member = await auth.register(uniqueEmail());
    const asAdmin = { token: admin.accessToken };

    const listed = await auth.gql(CONFIGS, { s: service }, asAdmin);
    expect(listed.data?.serviceConfigs).toEqual([
      { service, key: 'limits', value: { lookupsPerMinute: 30 }, defaultValue: { lookupsPerMinute: 30 }, source: 'DEFAULT', sensitive: false, updatedAt: null, updatedBy: null },
      { service, key: 'payout', value: { url: null, apiKey: '***' }, defaultValue: { url: null, apiKey: '***' }, source: 'DEFAULT', sensitive: true, updatedAt: null, updatedBy: null },
    ]);
    const everything = await auth.gql(CONFIGS, {}, asAdmin);
    expect(everything.data?.serviceConfigs.map((entry: { service: string }) => entry.service)).toEqual(expect.arrayContaining([service, 'auth-service']));

    const set = await auth.gql(SET, { s: service, k: 'payout', v: { url: 'https://p.example', apiKey: 'sk-secret-1' } }, asAdmin);
    expect(set.data?.setServiceConfig).toEqual({ key: 'payout', value: { url: 'https://p.example', apiKey: '***' }, source: 'STORED', updatedBy: admin.user.id });
    expect(JSON.stringify(await auth.gql(CONFIGS, { s: service }, asAdmin))).not.toContain('sk-secret-1');

    expect(errorCode(await auth.gql(SET, { s: service, k: 'limits', v: { lookupsPerMinute: 0 } }, asAdmin))).toBe('BAD_USER_INPUT');
    expect(errorCode(await auth.gql(SET, { s: service, k: 'missing', v: 1 }, asAdmin))).toBe('NOT_FOUND');
    expect(errorCode(await auth.gql(CONFIGS, { s: 'no-such-service' }, asAdmin))).toBe('NOT_FOUND');
    expect(errorCode(await auth.gql(SET, { s: service, k: 'limits', v: { lookupsPerMinute: 5 } }, { token: member.accessToken }))).toBe('FORBIDDEN');
    expect(errorCode(await auth.gql(CONFIGS, { s: service }))).toBe('UNAUTHENTICATED');

    const reset = await auth.gql(RESET, { s: service, k: 'payout' }, asAdmin);
    expect(reset.data?.resetServiceConfig).toEqual({ key: 'payout', value: { url: null, apiKey: '***' }, source: 'DEFAULT' });
  });

  it('records security and admin actions in the tenant’s audit log, chained and verifiable, readable only by admins', async () => {
    const auth = await startAuth();
    const service = await publishPaymentsLike(auth);
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const member = await auth.register(uniqueEmail(), { address: '203.0.113.9' });
    expect(errorCode(await auth.login(member.user.email, { password: 'wrong password 123', address: '203.0.113.9' }))).toBeDefined();
    await auth.gql(`mutation($u: ID!) { setUserStatus(userId: $u, status: SUSPENDED) { id } }`, { u: member.user.id }, { token: admin.accessToken });
    await auth.gql(SET, { s: service, k: 'limits', v: { lookupsPerMinute: 60 } }, { token: admin.accessToken });

    const log = await eventually(async () => {
      const res = await auth.gql(AUDIT, { first: 50 }, { token: admin.accessToken });
      const nodes = res.data?.auditLog.nodes as Array<Record<string, any>> | undefined;
      return nodes !== undefined && nodes.some((n) => n.action === 'config.set') && nodes.every((n) => n.seq !== null) ? nodes : undefined;
    });
    const byAction = (action: string) => log.find((entry) => entry.action === action);
    expect(byAction('user.registered')).toMatchObject({ category: 'SECURITY', resource: { type: 'user', id: member.user.id } });
    expect(byAction('auth.login.failed')).toMatchObject({ outcome: 'FAILURE', actor: { type: 'ANONYMOUS', id: null }, data: { clientAddress: '203.0.113.9' } });
    expect(byAction('user.status.changed')).toMatchObject({ category: 'ADMIN', actor: { type: 'USER', id: admin.user.id }, before: { status: 'active' }, after: { status: 'suspended' } });
    expect(byAction('auth.session.revoked')).toMatchObject({ category: 'SECURITY' });
    expect(byAction('config.set')).toMatchObject({ category: 'ADMIN', service: 'auth-service', before: null, after: { lookupsPerMinute: 60 }, resource: { type: 'config', id: `${service}/limits` } });
    // Newest first, and one chain: seqs are distinct and every link points at its predecessor.
    const bySeq = [...log].sort((a, b) => a['seq'] - b['seq']);
    for (let index = 1; index < bySeq.length; index += 1) expect(bySeq[index]!['prevHash']).toBe(bySeq[index - 1]!['hash']);

    const filtered = await auth.gql(AUDIT, { f: { category: 'ADMIN' } }, { token: admin.accessToken });
    expect(filtered.data?.auditLog.nodes.every((n: { category: string }) => n.category === 'ADMIN')).toBe(true);
    const paged = await auth.gql(AUDIT, { first: 1 }, { token: admin.accessToken });
    expect(paged.data?.auditLog.pageInfo.hasNextPage).toBe(true);
    const next = await auth.gql(AUDIT, { first: 1, after: paged.data?.auditLog.pageInfo.endCursor }, { token: admin.accessToken });
    expect(next.data?.auditLog.nodes[0].id).not.toBe(paged.data?.auditLog.nodes[0].id);

    expect((await auth.gql(VERIFY, {}, { token: admin.accessToken })).data?.verifyAuditChain).toMatchObject({ ok: true, pending: 0, firstBroken: null });
    expect(errorCode(await auth.gql(AUDIT, {}, { token: member.accessToken }))).toMatch(/FORBIDDEN|UNAUTHENTICATED|MSAuth/);
    expect(errorCode(await auth.gql(AUDIT, { f: { tenantId: 'another-tenant' } }, { token: admin.accessToken }))).toBe('FORBIDDEN');

    // Someone edits an entry in the database: the admin query names the broken link.
    const audit = auth.service.deps.coreDb.collection<AuditEntryDocument>('audit_log');
    const target = await audit.findOne({ tenantId: auth.tenantId, action: 'user.status.changed' });
    await audit.updateOne({ _id: target!._id }, { $set: { after: { status: 'active' } } });
    expect((await auth.gql(VERIFY, {}, { token: admin.accessToken })).data?.verifyAuditChain).toMatchObject({ ok: false, firstBroken: { seq: target!.seq, reason: 'hash_mismatch' } });
  });
});
