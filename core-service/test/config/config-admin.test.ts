import { type } from 'arktype';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuditTrail, type AuditEntryDocument } from '../../src/audit/index.js';
import { ConfigAdmin, createConfigStore, publishConfigCatalog, registerServiceConfigDefaults } from '../../src/config/index.js';
import { createTestFixture, type TestFixture } from '../../src/testing/index.js';
import { connectTestRedis, nextEvent } from '../cache/cache-fixture.js';

const Payout = type({ providerUrl: 'string.url | null', apiKey: 'string | null', latencyMs: '0 <= number.integer <= 60000' });

async function setUp(fixture: TestFixture, env: Record<string, string> = {}) {
  const service = `payments-${fixture.id}`;
  registerServiceConfigDefaults(service, {
    payout: { value: { providerUrl: null, apiKey: null, latencyMs: 50 }, schema: Payout as never, sensitivePaths: ['payout.apiKey'], description: 'Payout provider' },
    shards: { value: 8, schema: type('1 <= number.integer <= 1024') as never },
    banner: { value: 'hello' },
  });
  const db = await fixture.db('core_service');
  const client = await fixture.mongoClient();
  await publishConfigCatalog(db, service, env);
  const store = async () => {
    const instance = createConfigStore({ db, redis: await connectTestRedis(fixture.redisUrl), channelPrefix: fixture.keyPrefix, env });
    await instance.ensureIndexes();
    await instance.start();
    onTestFinished(() => instance.close());
    return instance;
  };
  const audit = new AuditTrail({ db, service: 'auth-service' });
  await audit.ensureIndexes();
  const adminStore = await store();
  const admin = new ConfigAdmin({ client, db, store: adminStore, audit });
  const by = { actor: { type: 'user' as const, id: 'admin-1' }, tenantId: fixture.tenantId };
  return { service, db, admin, by, store, audit: db.collection<AuditEntryDocument>('audit_log') };
}

describe('config admin', () => {
  it('lists every published key with defaults, sources and secrets masked', async () => {
    const fixture = createTestFixture();
    const { service, admin, db } = await setUp(fixture);
    const entries = await admin.list(service);
    expect(entries.map((entry) => [entry.key, entry.source, entry.sensitive])).toEqual([
      ['banner', 'DEFAULT', false],
      ['payout', 'DEFAULT', true],
      ['shards', 'DEFAULT', false],
    ]);
    await expect(admin.list(`${service}-unknown`)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    // A service that published no keys is known, with an empty list.
    await publishConfigCatalog(db, `quiet-${fixture.id}`, {});
    expect(await admin.list(`quiet-${fixture.id}`)).toEqual([]);
  });

  it('stores a valid value with its audit entry, masked, and every instance of the service reloads it', async () => {
    const fixture = createTestFixture();
    const { service, admin, by, store, audit } = await setUp(fixture);
    const serviceInstance = await store();
    expect(await serviceInstance.get(service, 'payout')).toMatchObject({ apiKey: null });

    const changed = nextEvent(serviceInstance, 'changed');
    const entry = await admin.set(service, 'payout', { providerUrl: 'https://payouts.example/api', apiKey: 'sk-live-123', latencyMs: 0 }, by);
    expect(entry).toMatchObject({ source: 'STORED', sensitive: true, updatedBy: 'admin-1', value: { providerUrl: 'https://payouts.example/api', apiKey: '***' } });
    await changed;
    expect(await serviceInstance.get(service, 'payout')).toMatchObject({ apiKey: 'sk-live-123', latencyMs: 0 });

    const [recorded] = await audit.find({ tenantId: fixture.tenantId, action: 'config.set' }).toArray();
    expect(recorded).toMatchObject({ category: 'admin', resource: { type: 'config', id: `${service}/payout` }, actor: { id: 'admin-1' }, before: null, after: { apiKey: '***' } });
    expect(JSON.stringify(recorded)).not.toContain('sk-live-123');

    // The editor sends the masked value back with another field changed: the secret stays.
    await admin.set(service, 'payout', { providerUrl: 'https://payouts.example/api', apiKey: '***', latencyMs: 10 }, by);
    await expect.poll(() => serviceInstance.get(service, 'payout')).toMatchObject({ apiKey: 'sk-live-123', latencyMs: 10 });
  });

  it('refuses values that fail the key’s schema, changing nothing', async () => {
    const fixture = createTestFixture();
    const { service, admin, by, audit } = await setUp(fixture);
    await expect(admin.set(service, 'shards', 0, by)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', key: 'shards' } });
    await expect(admin.set(service, 'payout', { providerUrl: 'not a url', apiKey: null, latencyMs: 1 }, by)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', fields: [{ path: 'providerUrl' }] },
    });
    await expect(admin.set(service, 'banner', { not: 'a string' }, by)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    await expect(admin.set(service, 'payout', { providerUrl: null, apiKey: '***', latencyMs: 1 }, by)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'MASKED_SECRET' } });
    await expect(admin.set(service, 'nope', 1, by)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect((await admin.list(service)).every((entry) => entry.source === 'DEFAULT')).toBe(true);
    expect(await audit.countDocuments({ tenantId: fixture.tenantId })).toBe(0);
  });

  it('resets a stored value to the default, audited', async () => {
    const fixture = createTestFixture();
    const { service, admin, by, store, audit } = await setUp(fixture);
    const serviceInstance = await store();
    await admin.set(service, 'shards', 16, by);
    await expect.poll(() => serviceInstance.get(service, 'shards')).toBe(16);
    expect(await admin.reset(service, 'shards', by)).toMatchObject({ source: 'DEFAULT', value: 8 });
    await expect.poll(() => serviceInstance.get(service, 'shards')).toBe(8);
    expect(
      await audit
        .find({ tenantId: fixture.tenantId })
        .sort({ _id: 1 })
        .map((entry) => [entry.action, entry.before, entry.after])
        .toArray(),
    ).toEqual([
      ['config.set', null, 16],
      ['config.reset', 16, 8],
    ]);
  });

  it('shows an env override as the source and refuses to store a value it would hide', async () => {
    const fixture = createTestFixture();
    const service = `payments-${fixture.id}`;
    const { admin, by } = await setUp(fixture, { [`PAYMENTS_${fixture.id.toUpperCase()}_SHARDS`]: '32' });
    const shards = (await admin.list(service)).find((entry) => entry.key === 'shards');
    expect(shards).toMatchObject({ source: 'ENV', value: 32, defaultValue: 8 });
    await expect(admin.set(service, 'shards', 4, by)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', reason: 'ENV_OVERRIDE' } });
  });
});
