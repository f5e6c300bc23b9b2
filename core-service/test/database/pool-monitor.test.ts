import { MongoClient } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectMongo, DEFAULT_MONGO_CONFIG, getConnectionPoolStats, getPoolHealthStatus, toMongoClientOptions } from '../../src/database/index.js';
import { createTestFixture, getTestInfrastructure } from '../../src/testing/index.js';

function mongoUri(): string {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError);
  return mongoUri;
}

async function monitoredClient(maxPoolSize = 20) {
  const client = await connectMongo(mongoUri(), { config: { minPoolSize: 0, maxPoolSize } });
  onTestFinished(() => client.close());
  return client;
}

describe('DEFAULT_MONGO_CONFIG', () => {
  it('is the brief configuration, mapped onto driver options', () => {
    expect(DEFAULT_MONGO_CONFIG).toEqual({
      maxPoolSize: 100,
      minPoolSize: 10,
      maxIdleTimeMS: 30000,
      waitQueueTimeoutMS: 10000,
      readPreference: 'nearest',
      writeConcern: 'majority',
      retryWrites: true,
      retryReads: true,
    });
    const client = new MongoClient('mongodb://localhost:1', toMongoClientOptions());
    expect(client.options.maxPoolSize).toBe(100);
    expect(client.options.minPoolSize).toBe(10);
    expect(client.options.readPreference.mode).toBe('nearest');
    expect(client.options.writeConcern?.w).toBe('majority');
    expect(client.options.retryWrites).toBe(true);
  });
});

describe('connection pool statistics', () => {
  it('count connections and check-outs from the driver events', async () => {
    const fixture = createTestFixture({ label: 'pool' });
    const client = await monitoredClient();
    const before = getConnectionPoolStats(client);
    expect(before.maxPoolSize).toBe(20);

    const items = client.db(fixture.dbName('pool')).collection('items');
    await Promise.all(Array.from({ length: 5 }, (_, n) => items.insertOne({ n })));
    await items.find().toArray();

    const after = getConnectionPoolStats(client);
    expect(after.totalCheckOuts).toBeGreaterThanOrEqual(before.totalCheckOuts + 6);
    expect(after.connectionsCreated).toBeGreaterThanOrEqual(1);
    expect(after.totalConnections).toBe(after.connectionsCreated - after.connectionsClosed);
    expect(after.checkedOut).toBe(0);
    expect(after.availableConnections).toBe(after.totalConnections);
    expect(after.waitQueueSize).toBe(0);
  });

  it('show a connection as checked out while an operation holds it', async () => {
    const fixture = createTestFixture({ label: 'checkout' });
    const client = await monitoredClient();
    let seenWhileOut = -1;
    // Registered after the monitor's own listener, so the counters already include this check-out.
    client.once('connectionCheckedOut', () => {
      seenWhileOut = getConnectionPoolStats(client).checkedOut;
    });
    await client.db(fixture.dbName('pool')).collection('items').insertOne({ a: 1 });
    expect(seenWhileOut).toBe(1);
    expect(getConnectionPoolStats(client).checkedOut).toBe(0);
  });

  it('report utilisation against maxPoolSize with the brief thresholds', async () => {
    const fixture = createTestFixture({ label: 'util' });
    const client = await monitoredClient(2);
    const items = client.db(fixture.dbName('pool')).collection<{ _id: number; n: number }>('items');
    await items.insertOne({ _id: 1, n: 0 });
    const statuses: string[] = [];
    const bothOut = new Promise<void>((resolve) => {
      client.on('connectionCheckedOut', () => {
        const health = getPoolHealthStatus(client);
        statuses.push(`${health.status}:${health.utilizationPercent}`);
        if (health.utilizationPercent === 100) resolve();
      });
    });
    // Both connections held at once, deterministically: an open transaction elsewhere holds the
    // document, and a plain write to it waits on the server (its connection checked out) until
    // that transaction ends.
    const other = await fixture.mongoClient();
    const session = other.startSession();
    session.startTransaction();
    await other
      .db(fixture.dbName('pool'))
      .collection<{ _id: number; n: number }>('items')
      .updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session });
    const blocked = [items.updateOne({ _id: 1 }, { $inc: { n: 10 } }), items.updateOne({ _id: 1 }, { $inc: { n: 100 } })];
    await bothOut;
    expect(statuses).toContain('critical:100');
    await session.commitTransaction();
    await session.endSession();
    await Promise.all(blocked);
    expect((await items.findOne({ _id: 1 }))?.n).toBe(111);
    expect(getPoolHealthStatus(client)).toEqual({ status: 'healthy', utilizationPercent: 0, message: 'Pool healthy' });
  });

  it('sum every monitored client when called without one, and drop a client once closed', async () => {
    const fixture = createTestFixture({ label: 'sum' });
    const first = await monitoredClient();
    const second = await monitoredClient();
    await first.db(fixture.dbName('pool')).collection('items').insertOne({ a: 1 });
    await second.db(fixture.dbName('pool')).collection('items').insertOne({ a: 1 });
    const one = getConnectionPoolStats(first).totalCheckOuts;
    const two = getConnectionPoolStats(second).totalCheckOuts;
    expect(getConnectionPoolStats().totalCheckOuts).toBeGreaterThanOrEqual(one + two);
    const withBoth = getConnectionPoolStats().totalCheckOuts;
    await second.close();
    expect(getConnectionPoolStats().totalCheckOuts).toBe(withBoth - two);
  });
});
