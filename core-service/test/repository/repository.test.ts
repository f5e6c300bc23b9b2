import { type } from 'arktype';
import { ObjectId } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createServiceDatabaseAccess, withTransaction, type InitializeDatabaseOptions } from '../../src/database/index.js';
import { getErrorCode } from '../../src/errors/index.js';
import { MultiLevelCache } from '../../src/cache/index.js';
import { createLogger } from '../../src/logger/index.js';
import { createRepository, type RepositoryCache, type RepositoryDocument } from '../../src/repository/index.js';
import { createTestFixture, getTestInfrastructure, type TestFixture } from '../../src/testing/index.js';

interface Wallet extends RepositoryDocument {
  userId: string;
  currency: string;
  balance: number;
}

const walletSchema = type({ userId: 'string > 0', currency: /^[A-Z]{3}$/, balance: 'number.integer >= 0' });

async function accessorFor(fixture: TestFixture, options: InitializeDatabaseOptions = {}) {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError);
  const accessor = createServiceDatabaseAccess('payment-service');
  onTestFinished(() => accessor.close());
  await accessor.initialize({ uri: mongoUri, dbNameSuffix: fixture.dbSuffix, tenantId: fixture.tenantId, config: { minPoolSize: 0 }, ...options });
  return accessor;
}

/** The cache contract with counters, standing in for the multi-level cache. */
function memoryCache() {
  const entries = new Map<string, string>();
  const calls = { get: 0, hits: 0, set: 0, delete: 0 };
  const cache: RepositoryCache = {
    async get(key) {
      calls.get += 1;
      const value = entries.get(key);
      if (value !== undefined) calls.hits += 1;
      return value;
    },
    async set(key, value) {
      calls.set += 1;
      entries.set(key, value);
    },
    async delete(key) {
      calls.delete += 1;
      entries.delete(key);
    },
  };
  return { cache, entries, calls };
}

function captureLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { logger, lines };
}

describe('createRepository', () => {
  it('creates with a generated id and timestamps, then reads, updates, counts and deletes', async () => {
    const fixture = createTestFixture({ label: 'crud' });
    const accessor = await accessorFor(fixture);
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets' });

    const created = await wallets.create({ userId: 'u1', currency: 'EUR', balance: 0 });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created._id).toBeInstanceOf(ObjectId);
    expect(created.createdAt).toBeInstanceOf(Date);
    await wallets.createMany([
      { userId: 'u2', currency: 'EUR', balance: 5 },
      { id: 'chosen-id', userId: 'u3', currency: 'USD', balance: 7 },
    ]);

    expect(await wallets.findById(created.id)).toMatchObject({ userId: 'u1', balance: 0 });
    expect(await wallets.findById('chosen-id')).toMatchObject({ userId: 'u3' });
    expect(await wallets.findById('missing')).toBeNull();
    expect(await wallets.findOne({ userId: 'u2' })).toMatchObject({ balance: 5 });
    expect((await wallets.findMany({ currency: 'EUR' }, { sort: { balance: -1 } })).map((w) => w.userId)).toEqual(['u2', 'u1']);
    expect(await wallets.findMany({}, { limit: 1 })).toHaveLength(1);
    expect(await wallets.count()).toBe(3);
    expect(await wallets.count({ currency: 'USD' })).toBe(1);
    expect(await wallets.exists({ userId: 'u3' })).toBe(true);
    expect(await wallets.exists({ userId: 'nobody' })).toBe(false);

    const updated = await wallets.update(created.id, { balance: 42 });
    expect(updated).toMatchObject({ id: created.id, balance: 42, userId: 'u1' });
    expect(updated!.updatedAt!.getTime()).toBeGreaterThanOrEqual(created.updatedAt!.getTime());
    expect(updated!.createdAt).toEqual(created.createdAt);
    expect(await wallets.update('missing', { balance: 1 })).toBeNull();

    expect(await wallets.delete(created.id)).toBe(true);
    expect(await wallets.delete(created.id)).toBe(false);
    expect(await wallets.findById(created.id)).toBeNull();
  });

  it("pages through the tenant's collection with signed cursors", async () => {
    const fixture = createTestFixture({ label: 'repopage' });
    const accessor = await accessorFor(fixture, { strategy: 'per-tenant' });
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets' });
    await wallets.createMany([3, 1, 2, 5, 4].map((balance) => ({ userId: `u${balance}`, currency: 'EUR', balance })));
    await wallets.create({ userId: 'elsewhere', currency: 'EUR', balance: 0 }, { tenantId: 'other' });

    const first = await wallets.paginate({ first: 2, sort: { balance: 1 }, includeTotalCount: true });
    expect(first.nodes.map((wallet) => wallet.balance)).toEqual([1, 2]);
    expect(first.totalCount).toBe(5);
    const rest = await wallets.paginate({ first: 10, sort: { balance: 1 }, after: first.pageInfo.endCursor! });
    expect(rest.nodes.map((wallet) => wallet.balance)).toEqual([3, 4, 5]);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    // The cursor names this tenant's collection: it does not open a page of another tenant.
    const foreign = await wallets.paginate({ first: 2, sort: { balance: 1 }, after: first.pageInfo.endCursor!, tenantId: 'other' }).catch((e: unknown) => e);
    expect(getErrorCode(foreign)).toBe('BAD_USER_INPUT');
  });

  it('registers a unique id index plus its own indexes with the accessor', async () => {
    const fixture = createTestFixture({ label: 'repoidx' });
    const accessor = await accessorFor(fixture);
    const wallets = createRepository<Wallet>({
      database: accessor,
      collection: 'wallets',
      indexes: [{ key: { userId: 1, currency: 1 }, name: 'user_currency', unique: true }],
    });
    await accessor.ensureIndexes();
    const names = (await (await wallets.collection()).listIndexes().toArray()).map((index) => index.name).sort();
    expect(names).toEqual(['_id_', 'id_unique', 'user_currency']);
    await wallets.create({ id: 'w', userId: 'u', currency: 'EUR', balance: 0 });
    await expect(wallets.create({ id: 'w', userId: 'other', currency: 'EUR', balance: 0 })).rejects.toMatchObject({ code: 11000 });
  });

  it("in throw mode rejects an invalid document with BAD_USER_INPUT naming each bad field, and writes nothing", async () => {
    const fixture = createTestFixture({ label: 'strict' });
    const accessor = await accessorFor(fixture);
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets', schema: walletSchema, validation: 'throw' });

    const error = await wallets.create({ userId: '', currency: 'euro', balance: -1 }).catch((caught: unknown) => caught);
    expect(getErrorCode(error)).toBe('BAD_USER_INPUT');
    const fields = (error as { extensions: { fields: Array<{ path: string }> } }).extensions.fields.map((f) => f.path).sort();
    expect(fields).toEqual(['balance', 'currency', 'userId']);
    expect(await wallets.count()).toBe(0);

    const valid = await wallets.create({ userId: 'u', currency: 'EUR', balance: 1 });
    // An update is checked field by field: the fields it sets must be valid, the others are not required.
    expect(getErrorCode(await wallets.update(valid.id, { balance: 1.5 }).catch((caught: unknown) => caught))).toBe('BAD_USER_INPUT');
    expect(await wallets.findById(valid.id)).toMatchObject({ balance: 1 });
    expect(await wallets.update(valid.id, { balance: 2 })).toMatchObject({ balance: 2 });
  });

  it('in log mode writes the invalid document and logs the bad fields', async () => {
    const fixture = createTestFixture({ label: 'soft' });
    const accessor = await accessorFor(fixture);
    const { logger, lines } = captureLogs();
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets', schema: walletSchema, logger });

    const written = await wallets.create({ userId: 'u', currency: 'euro', balance: 3 });
    expect(await wallets.findById(written.id)).toMatchObject({ currency: 'euro' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, collection: 'wallets', operation: 'create', fields: [{ path: 'currency' }] });
  });

  it('serves findById from the cache with BSON types intact, and invalidates on update and delete', async () => {
    const fixture = createTestFixture({ label: 'cache' });
    const accessor = await accessorFor(fixture);
    const { cache, calls, entries } = memoryCache();
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets', cache });
    const wallet = await wallets.create({ userId: 'u', currency: 'EUR', balance: 10 });

    await wallets.findById(wallet.id);
    // Changed behind the repository's back: a cached read still shows the old balance.
    await (await wallets.collection()).updateOne({ id: wallet.id }, { $set: { balance: 999 } });
    const cached = await wallets.findById(wallet.id);
    expect(calls.hits).toBe(1);
    expect(cached).toMatchObject({ balance: 10 });
    expect(cached!._id).toBeInstanceOf(ObjectId);
    expect(cached!.createdAt).toBeInstanceOf(Date);

    await wallets.update(wallet.id, { balance: 11 });
    expect(entries.size).toBe(0);
    expect(await wallets.findById(wallet.id)).toMatchObject({ balance: 11 });

    await wallets.delete(wallet.id);
    expect(await wallets.findById(wallet.id)).toBeNull();
  });

  it('inside a transaction bypasses the cache and invalidates only after the commit', async () => {
    const fixture = createTestFixture({ label: 'txcache' });
    const accessor = await accessorFor(fixture);
    const { cache, entries, calls } = memoryCache();
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets', cache });
    const wallet = await wallets.create({ userId: 'u', currency: 'EUR', balance: 10 });
    await wallets.findById(wallet.id);
    expect(entries.size).toBe(1);
    const cacheReadsBefore = calls.get;

    await withTransaction({
      client: accessor.getClient(),
      fn: async (session) => {
        await wallets.update(wallet.id, { balance: 20 }, { session });
        // The transaction sees its own write, and that write is not in (nor removed from) the cache yet.
        expect(await wallets.findById(wallet.id, { session })).toMatchObject({ balance: 20 });
        expect(entries.size).toBe(1);
      },
    });
    expect(calls.get).toBe(cacheReadsBefore);
    expect(entries.size).toBe(0);
    expect(await wallets.findById(wallet.id)).toMatchObject({ balance: 20 });

    // An aborted transaction leaves the cached (still correct) entry alone.
    await expect(
      withTransaction({
        client: accessor.getClient(),
        fn: async (session) => {
          await wallets.update(wallet.id, { balance: 30 }, { session });
          throw new Error('abort');
        },
      }),
    ).rejects.toThrow('abort');
    expect(entries.size).toBe(1);
    expect(await wallets.findById(wallet.id)).toMatchObject({ balance: 20 });
  });

  it('keeps reading and writing when the cache fails', async () => {
    const fixture = createTestFixture({ label: 'cachedown' });
    const accessor = await accessorFor(fixture);
    const { logger, lines } = captureLogs();
    const down = async () => {
      throw new Error('cache unavailable');
    };
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets', cache: { get: down, set: down, delete: down }, logger });
    const wallet = await wallets.create({ userId: 'u', currency: 'EUR', balance: 1 });
    expect(await wallets.findById(wallet.id)).toMatchObject({ balance: 1 });
    expect(await wallets.update(wallet.id, { balance: 2 })).toMatchObject({ balance: 2 });
    expect(lines.map((line) => line['msg'])).toEqual([
      'cache read failed; reading the database',
      'cache write failed',
      'cache invalidation failed',
    ]);
  });

  it("per tenant: each tenant's documents live in its own database and cache entries", async () => {
    const fixture = createTestFixture({ label: 'pertenant' });
    const accessor = await accessorFor(fixture, { strategy: 'per-tenant' });
    const { cache } = memoryCache();
    const wallets = createRepository<Wallet>({ database: accessor, collection: 'wallets', cache });
    await wallets.create({ id: 'same-id', userId: 'alice', currency: 'EUR', balance: 1 }, { tenantId: 'a' });
    await wallets.create({ id: 'same-id', userId: 'bob', currency: 'EUR', balance: 2 }, { tenantId: 'b' });
    expect(await wallets.findById('same-id', { tenantId: 'a' })).toMatchObject({ userId: 'alice' });
    expect(await wallets.findById('same-id', { tenantId: 'b' })).toMatchObject({ userId: 'bob' });
    expect(await wallets.count({}, { tenantId: 'a' })).toBe(1);
    expect(await wallets.findById('same-id')).toBeNull();
  });

  it("plugs into the SDK's multi-level cache: an update clears L2 too, so another instance reads fresh", async () => {
    const fixture = createTestFixture({ label: 'mlcache' });
    const accessor = await accessorFor(fixture);
    const instance = async () => {
      const cache = new MultiLevelCache({ redis: fixture.redis(), keyPrefix: `${fixture.keyPrefix}cache:` });
      onTestFinished(() => cache.close());
      await cache.start();
      return { cache, wallets: createRepository<Wallet>({ database: accessor, collection: 'wallets', cache }) };
    };
    const first = await instance();
    const second = await instance();
    const wallet = await first.wallets.create({ userId: 'u', currency: 'EUR', balance: 10 });

    await first.wallets.findById(wallet.id);
    // The second instance's memory is empty: its hit comes from Redis, with the BSON types intact.
    const fromRedis = await second.wallets.findById(wallet.id);
    expect(second.cache.getStats().hits.redis).toBe(1);
    expect(fromRedis).toMatchObject({ balance: 10 });
    expect(fromRedis!._id).toBeInstanceOf(ObjectId);
    expect(fromRedis!.createdAt).toBeInstanceOf(Date);

    await first.wallets.update(wallet.id, { balance: 11 });
    const third = await instance();
    expect(await third.wallets.findById(wallet.id)).toMatchObject({ balance: 11 });
    expect(third.cache.getStats().hits.redis).toBe(0);
  });
});
