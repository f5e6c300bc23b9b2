import { describe, expect, it } from 'vitest';
import { CORE_DATABASE_NAME, DatabaseStrategyError, resolveConnectionUri, resolveDatabaseName, resolveShardIndex } from '../../src/database/index.js';

const context = { service: 'payment-service', brand: 'acme', tenantId: 'tenant-7' };

describe('database strategies', () => {
  it.each([
    ['shared', CORE_DATABASE_NAME],
    ['per-service', 'payment_service'],
    ['per-brand', 'brand_acme'],
    ['per-brand-service', 'brand_acme_payment'],
    ['per-tenant', 'tenant_tenant-7'],
  ] as const)('%s resolves to %s', (strategy, expected) => {
    expect(resolveDatabaseName({ strategy }, context)).toBe(expected);
  });

  it('per-shard puts a tenant on one stable shard_N within the shard count', () => {
    const names = new Set<string>();
    for (let tenant = 0; tenant < 200; tenant += 1) {
      const name = resolveDatabaseName({ strategy: 'per-shard', shardCount: 4 }, { service: 's', tenantId: `t${tenant}` });
      expect(name).toMatch(/^shard_[0-3]$/);
      expect(resolveDatabaseName({ strategy: 'per-shard', shardCount: 4 }, { service: 's', tenantId: `t${tenant}` })).toBe(name);
      names.add(name);
    }
    // 200 tenants over 4 shards: every shard is used.
    expect(names.size).toBe(4);
  });

  it('per-shard honours a custom shard resolver and rejects an out-of-range answer', () => {
    expect(resolveShardIndex({ strategy: 'per-shard', shardCount: 3, resolveShard: () => 2 }, 'x')).toBe(2);
    expect(() => resolveShardIndex({ strategy: 'per-shard', shardCount: 3, resolveShard: () => 3 }, 'x')).toThrow(DatabaseStrategyError);
  });

  it('a service name without the -service ending is used as is', () => {
    expect(resolveDatabaseName({ strategy: 'per-service' }, { service: 'gateway' })).toBe('gateway_service');
  });

  it('appends the suffix to every strategy', () => {
    expect(resolveDatabaseName({ strategy: 'per-brand', dbNameSuffix: '_abc' }, context)).toBe('brand_acme_abc');
    expect(resolveDatabaseName({ strategy: 'shared', dbNameSuffix: '_abc' }, context)).toBe('core_service_abc');
  });

  it('refuses a missing brand or tenant instead of inventing a database', () => {
    expect(() => resolveDatabaseName({ strategy: 'per-brand' }, { service: 's' })).toThrow(/needs a brand/);
    expect(() => resolveDatabaseName({ strategy: 'per-tenant' }, { service: 's' })).toThrow(/needs a tenant id/);
    expect(() => resolveDatabaseName({ strategy: 'per-shard' }, { service: 's' })).toThrow(/needs a tenant id/);
  });

  it('rejects names MongoDB cannot hold rather than rewriting them into a collision', () => {
    for (const tenantId of ['a.b', 'a/b', 'a b', 'a$b', 'a"b']) {
      expect(() => resolveDatabaseName({ strategy: 'per-tenant' }, { service: 's', tenantId })).toThrow(DatabaseStrategyError);
    }
    expect(() => resolveDatabaseName({ strategy: 'per-tenant' }, { service: 's', tenantId: 'x'.repeat(60) })).toThrow(/longer than 63 bytes/);
  });

  it('routes brands, tenants and shards to their own cluster, the default cluster otherwise', () => {
    const routing = {
      uri: 'mongodb://default',
      brandUris: { acme: 'mongodb://acme' },
      tenantUris: { 'tenant-7': 'mongodb://t7' },
      shardUris: ['mongodb://shard0', 'mongodb://shard1'],
    };
    expect(resolveConnectionUri({ strategy: 'per-brand' }, routing, context)).toBe('mongodb://acme');
    expect(resolveConnectionUri({ strategy: 'per-brand' }, routing, { ...context, brand: 'other' })).toBe('mongodb://default');
    expect(resolveConnectionUri({ strategy: 'per-tenant' }, routing, context)).toBe('mongodb://t7');
    // per-service ignores the per-tenant table: the data is not split by tenant.
    expect(resolveConnectionUri({ strategy: 'per-service' }, routing, context)).toBe('mongodb://default');
    const shard = resolveShardIndex({ strategy: 'per-shard', shardCount: 2 }, 'tenant-7');
    expect(resolveConnectionUri({ strategy: 'per-shard', shardCount: 2 }, routing, context)).toBe(`mongodb://shard${shard}`);
  });
});
