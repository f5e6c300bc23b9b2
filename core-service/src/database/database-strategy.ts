/**
 * Which database a service's data lives in. The names are the brief's table; changing a
 * strategy moves data, so it is chosen once per deployment, not per request.
 */
export type DatabaseStrategy = 'shared' | 'per-service' | 'per-brand' | 'per-brand-service' | 'per-tenant' | 'per-shard';

export const DATABASE_STRATEGIES: readonly DatabaseStrategy[] = ['shared', 'per-service', 'per-brand', 'per-brand-service', 'per-tenant', 'per-shard'];

/** Database of the `shared` strategy, and home of cross-service data (service configs, users). */
export const CORE_DATABASE_NAME = 'core_service';

export interface DatabaseContext {
  /** e.g. `payment-service`; a trailing `-service` is dropped (`payment_service`, not `payment-service_service`). */
  service: string;
  brand?: string;
  tenantId?: string;
}

export interface DatabaseStrategyConfig {
  strategy: DatabaseStrategy;
  /** Number of shards for `per-shard` (default 1). */
  shardCount?: number;
  /**
   * Picks a tenant's shard for `per-shard`. The default is a stable hash of the tenant id; a
   * deployment that moves tenants between shards supplies a lookup instead.
   */
  resolveShard?: (tenantId: string, shardCount: number) => number;
  /** Appended to every resolved name (test isolation: `payment_service_<fixture id>`). */
  dbNameSuffix?: string;
}

/** Thrown when a context cannot be turned into a database name (missing or unsafe part). */
export class DatabaseStrategyError extends Error {
  override readonly name = 'DatabaseStrategyError';
}

// MongoDB refuses `/\. "$` and names of 64 bytes or more. A part with any other character is
// rejected rather than rewritten: rewriting `a.b` and `a_b` to the same name would put two
// tenants in one database.
const SAFE_NAME_PART = /^[A-Za-z0-9_-]+$/;
const MAX_DATABASE_NAME_BYTES = 63;

function namePart(value: string | undefined, what: string, strategy: DatabaseStrategy): string {
  if (value === undefined || value === '') {
    throw new DatabaseStrategyError(`database strategy '${strategy}' needs a ${what}`);
  }
  if (!SAFE_NAME_PART.test(value)) {
    throw new DatabaseStrategyError(`${what} '${value}' may only contain letters, digits, '_' and '-'`);
  }
  return value;
}

function serviceNamePart(service: string, strategy: DatabaseStrategy): string {
  return namePart(service.replace(/-service$/, ''), 'service name', strategy);
}

/** FNV-1a: stable across processes and Node versions, unlike anything seeded per process. */
function hashTenantId(tenantId: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(tenantId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function defaultShardResolver(tenantId: string, shardCount: number): number {
  return hashTenantId(tenantId) % shardCount;
}

/** Shard index of a tenant under `per-shard` (0 ≤ index < shardCount). */
export function resolveShardIndex(config: DatabaseStrategyConfig, tenantId: string | undefined): number {
  const shardCount = config.shardCount ?? 1;
  if (!Number.isInteger(shardCount) || shardCount < 1) {
    throw new DatabaseStrategyError(`shardCount must be a positive integer, got ${shardCount}`);
  }
  const tenant = namePart(tenantId, 'tenant id', 'per-shard');
  const index = (config.resolveShard ?? defaultShardResolver)(tenant, shardCount);
  if (!Number.isInteger(index) || index < 0 || index >= shardCount) {
    throw new DatabaseStrategyError(`resolveShard returned ${index} for ${shardCount} shards`);
  }
  return index;
}

export function resolveDatabaseName(config: DatabaseStrategyConfig, context: DatabaseContext): string {
  const { strategy } = config;
  let name: string;
  switch (strategy) {
    case 'shared':
      name = CORE_DATABASE_NAME;
      break;
    case 'per-service':
      name = `${serviceNamePart(context.service, strategy)}_service`;
      break;
    case 'per-brand':
      name = `brand_${namePart(context.brand, 'brand', strategy)}`;
      break;
    case 'per-brand-service':
      name = `brand_${namePart(context.brand, 'brand', strategy)}_${serviceNamePart(context.service, strategy)}`;
      break;
    case 'per-tenant':
      name = `tenant_${namePart(context.tenantId, 'tenant id', strategy)}`;
      break;
    case 'per-shard':
      name = `shard_${resolveShardIndex(config, context.tenantId)}`;
      break;
    default:
      throw new DatabaseStrategyError(`unknown database strategy '${String(strategy satisfies never)}'`);
  }
  if (config.dbNameSuffix) name += namePart(config.dbNameSuffix, 'database name suffix', strategy);
  if (Buffer.byteLength(name, 'utf8') > MAX_DATABASE_NAME_BYTES) {
    throw new DatabaseStrategyError(`database name '${name}' is longer than ${MAX_DATABASE_NAME_BYTES} bytes`);
  }
  return name;
}

/** Connection strings per brand, tenant or shard, for strategies that spread data over clusters. */
export interface ConnectionRouting {
  /** Cluster used when no more specific entry matches. */
  uri: string;
  brandUris?: Record<string, string>;
  tenantUris?: Record<string, string>;
  /** Indexed by shard number; `per-shard` only. */
  shardUris?: readonly string[];
}

/**
 * Which cluster holds a context's database. Only the strategies that split data by that key
 * look at the per-key tables: a `per-service` deployment ignores `tenantUris`.
 */
export function resolveConnectionUri(config: DatabaseStrategyConfig, routing: ConnectionRouting, context: DatabaseContext): string {
  switch (config.strategy) {
    case 'per-brand':
    case 'per-brand-service':
      return (context.brand !== undefined && routing.brandUris?.[context.brand]) || routing.uri;
    case 'per-tenant':
      return (context.tenantId !== undefined && routing.tenantUris?.[context.tenantId]) || routing.uri;
    case 'per-shard':
      return routing.shardUris?.[resolveShardIndex(config, context.tenantId)] ?? routing.uri;
    default:
      return routing.uri;
  }
}
