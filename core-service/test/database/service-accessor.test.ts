import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { MongoClient } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createServiceDatabaseAccess, type InitializeDatabaseOptions } from '../../src/database/index.js';
import { createTestFixture, getTestInfrastructure, type TestFixture } from '../../src/testing/index.js';

function mongoUri(): string {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError);
  return mongoUri;
}

/**
 * A private engine in its own process, through the engine's CLI, so a test can take it away
 * without hurting the run's shared engine.
 */
async function startPrivateEngine(): Promise<{ uri: string; stop: () => Promise<void> }> {
  const bin = fileURLToPath(new URL('../../../scripts/embedded-mongo/bin/embedded-mongo.js', import.meta.url));
  const child = spawn(process.execPath, [bin, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const uri = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded-mongo exited with ${code} before it was ready`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const ready = /embedded-mongo ready (\S+)/.exec(line);
      if (ready) resolve(ready[1]!);
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  onTestFinished(stop);
  return { uri, stop };
}

/** An accessor on the run's MongoDB, isolated by the fixture's suffix, closed after the test. */
async function accessorFor(fixture: TestFixture, service: string, options: InitializeDatabaseOptions = {}) {
  const accessor = createServiceDatabaseAccess(service);
  onTestFinished(() => accessor.close());
  await accessor.initialize({
    uri: mongoUri(),
    dbNameSuffix: fixture.dbSuffix,
    brand: fixture.brand,
    tenantId: fixture.tenantId,
    config: { minPoolSize: 0 },
    ...options,
  });
  return accessor;
}

describe('createServiceDatabaseAccess', () => {
  it('refuses to hand out a database before initialize', () => {
    const accessor = createServiceDatabaseAccess('payment-service');
    expect(accessor.isInitialized()).toBe(false);
    expect(() => accessor.getClient()).toThrow(/not initialized/);
    return expect(accessor.getDb()).rejects.toThrow(/not initialized/);
  });

  it.each([
    ['shared', (f: TestFixture) => `core_service${f.dbSuffix}`],
    ['per-service', (f: TestFixture) => `payment_service${f.dbSuffix}`],
    ['per-brand', (f: TestFixture) => `brand_${f.brand}${f.dbSuffix}`],
    ['per-brand-service', (f: TestFixture) => `brand_${f.brand}_payment${f.dbSuffix}`],
    ['per-tenant', (f: TestFixture) => `tenant_${f.tenantId}${f.dbSuffix}`],
  ] as const)('%s writes land in the database the strategy names', async (strategy, expectedName) => {
    const fixture = createTestFixture({ label: 's' });
    const accessor = await accessorFor(fixture, 'payment-service', { strategy });
    const db = await accessor.getDb();
    expect(accessor.isInitialized()).toBe(true);
    expect(db.databaseName).toBe(expectedName(fixture));
    await db.collection('probe').insertOne({ strategy });
    // Read back through another client: the document really is in that database.
    const other = await fixture.mongoClient();
    expect(
      await other
        .db(expectedName(fixture))
        .collection('probe')
        .findOne({ strategy }, { projection: { _id: 0 } }),
    ).toEqual({
      strategy,
    });
  });

  it.each(['per-service', 'per-brand-service'] as const)("%s: another service's database name is the one that service resolves to itself", async (strategy) => {
    const fixture = createTestFixture({ label: 'other' });
    const bonus = await accessorFor(fixture, 'bonus-service', { strategy });
    const payment = await accessorFor(fixture, 'payment-service', { strategy });
    expect(bonus.getDatabaseNameOf('payment-service')).toBe((await payment.getDb()).databaseName);
    expect(bonus.getDatabaseNameOf('payment-service')).not.toBe((await bonus.getDb()).databaseName);
  });

  it('per-tenant and per-shard pick the database from the tenant passed to getDb', async () => {
    const fixture = createTestFixture({ label: 'tenants' });
    const tenants = await accessorFor(fixture, 'payment-service', { strategy: 'per-tenant' });
    expect((await tenants.getDb('other-tenant')).databaseName).toBe(`tenant_other-tenant${fixture.dbSuffix}`);
    expect((await tenants.getDb()).databaseName).toBe(`tenant_${fixture.tenantId}${fixture.dbSuffix}`);

    const shards = await accessorFor(fixture, 'payment-service', { strategy: 'per-shard', shardCount: 2, resolveShard: (t) => (t === 'vip' ? 1 : 0) });
    expect((await shards.getDb('vip')).databaseName).toBe(`shard_1${fixture.dbSuffix}`);
    expect((await shards.getDb('anyone')).databaseName).toBe(`shard_0${fixture.dbSuffix}`);
  });

  it("per-shard with a cluster per shard: each tenant is written to its shard's cluster", async () => {
    const fixture = createTestFixture({ label: 'clusters' });
    const secondCluster = await startPrivateEngine();
    const accessor = await accessorFor(fixture, 'payment-service', {
      strategy: 'per-shard',
      shardCount: 2,
      resolveShard: (tenant) => (tenant === 'vip' ? 1 : 0),
      shardUris: [mongoUri(), secondCluster.uri],
    });
    await (await accessor.getDb('vip')).collection('probe').insertOne({ tenant: 'vip' });
    await (await accessor.getDb('regular')).collection('probe').insertOne({ tenant: 'regular' });

    const shared = await fixture.mongoClient();
    const private_ = new MongoClient(secondCluster.uri);
    onTestFinished(() => private_.close());
    const tenantsIn = async (client: MongoClient, shard: number) => (await client.db(`shard_${shard}${fixture.dbSuffix}`).collection('probe').find().toArray()).map((doc) => doc['tenant']);
    expect(await tenantsIn(private_, 1)).toEqual(['vip']);
    expect(await tenantsIn(shared, 0)).toEqual(['regular']);
    expect(await tenantsIn(shared, 1)).toEqual([]);
  });

  it('a second initialize with the same options shares the connection; different options are refused', async () => {
    const fixture = createTestFixture({ label: 'reinit' });
    const accessor = await accessorFor(fixture, 'payment-service');
    const client = accessor.getClient();
    await accessor.initialize({
      uri: mongoUri(),
      dbNameSuffix: fixture.dbSuffix,
      brand: fixture.brand,
      tenantId: fixture.tenantId,
      config: { minPoolSize: 0 },
    });
    expect(accessor.getClient()).toBe(client);
    await expect(accessor.initialize({ uri: mongoUri(), brand: 'someone-else' })).rejects.toThrow(/other options/);
  });

  it('checkHealth reports a measured ping and the pool', async () => {
    const fixture = createTestFixture({ label: 'health' });
    const accessor = await accessorFor(fixture, 'payment-service');
    await (await accessor.getDb()).collection('probe').insertOne({ ok: true });
    const health = await accessor.checkHealth();
    expect(health.healthy).toBe(true);
    expect(health.error).toBeUndefined();
    expect(health.latencyMs).toBeGreaterThan(0);
    expect(health.connections).toBeGreaterThanOrEqual(1);
    expect(health.checkedOut).toBe(0);
    expect(health.pool).toEqual({ status: 'healthy', utilizationPercent: 0, message: 'Pool healthy' });
  });

  it('checkHealth turns a server that went away into healthy: false with the reason', async () => {
    // A private engine, so stopping it hurts no other test.
    const engine = await startPrivateEngine();
    const accessor = createServiceDatabaseAccess('payment-service');
    onTestFinished(() => accessor.close());
    await accessor.initialize({ uri: engine.uri, config: { minPoolSize: 0 }, clientOptions: { serverSelectionTimeoutMS: 1_000 } });
    expect((await accessor.checkHealth()).healthy).toBe(true);
    await engine.stop();
    const health = await accessor.checkHealth();
    expect(health.healthy).toBe(false);
    expect(health.error).toBeTruthy();
  });

  it('getStats counts the collections, documents and indexes of the service database', async () => {
    const fixture = createTestFixture({ label: 'stats' });
    const accessor = await accessorFor(fixture, 'payment-service');
    const db = await accessor.getDb();
    await db.collection('a').insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await db.collection('b').insertOne({ n: 1 });
    await db.collection('b').createIndex({ n: 1 });
    const stats = await accessor.getStats();
    expect(stats.database).toBe(db.databaseName);
    expect(stats.collections).toBe(2);
    expect(stats.objects).toBe(4);
    expect(stats.indexes).toBe(3); // two _id indexes + { n: 1 }
    expect(stats.dataSize).toBeGreaterThan(0);
  });

  it('ensureIndexes creates the registered indexes, and a new tenant database gets them on first use', async () => {
    const fixture = createTestFixture({ label: 'indexes' });
    const accessor = await accessorFor(fixture, 'payment-service', { strategy: 'per-tenant' });
    accessor.registerIndexes('wallets', [
      { key: { userId: 1, currency: 1 }, name: 'user_currency', unique: true },
      { key: { createdAt: -1 }, name: 'created_desc' },
    ]);
    await accessor.ensureIndexes();
    const names = async (tenantId?: string) => (await (await accessor.getDb(tenantId)).collection('wallets').listIndexes().toArray()).map((index) => String(index.name)).sort();
    expect(await names()).toEqual(['_id_', 'created_desc', 'user_currency']);
    expect(await names('newcomer')).toEqual(['_id_', 'created_desc', 'user_currency']);

    const wallets = (await accessor.getDb('newcomer')).collection('wallets');
    await wallets.insertOne({ userId: 'u1', currency: 'EUR' });
    await expect(wallets.insertOne({ userId: 'u1', currency: 'EUR' })).rejects.toMatchObject({ code: 11000 });
  });

  it('refuses the deprecated background index option', async () => {
    const accessor = createServiceDatabaseAccess('payment-service');
    expect(() => accessor.registerIndexes('x', [{ key: { a: 1 }, background: true } as never])).toThrow(/background/);
  });
});
