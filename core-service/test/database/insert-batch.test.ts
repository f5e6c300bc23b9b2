import { randomUUID } from 'node:crypto';
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectMongo, withTransaction } from '../../src/database/index.js';
import { joinInsertBatch, openInsertBatch } from '../../src/database/insert-batch.js';
import { createTestFixture, getTestInfrastructure } from '../../src/testing/index.js';

/** A client of the test's own whose commands are recorded (by name, with the collections they write). */
async function recordingClient(appName: string): Promise<{ client: MongoClient; commands: string[] }> {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError);
  const client = await connectMongo(mongoUri, { config: { minPoolSize: 0 }, clientOptions: { monitorCommands: true, appName } });
  onTestFinished(() => client.close());
  const commands: string[] = [];
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (event.command['autocommit'] !== false) return;
    const target = event.command[event.commandName];
    const names = event.commandName === 'bulkWrite' ? (event.command['nsInfo'] as Array<{ ns: string }>).map(({ ns }) => ns.slice(ns.indexOf('.') + 1)).join(',') : String(target);
    commands.push(`${event.commandName} ${names}`);
  });
  return { client, commands };
}

describe('insert batch', () => {
  it('sends the inserts of several collections as one bulkWrite in the transaction, in order, visible only once it commits', async () => {
    const fixture = createTestFixture({ label: 'ibatch' });
    const { client, commands } = await recordingClient(`ibatch-${randomUUID()}`);
    const db = client.db(fixture.dbName('batch'));
    const [ledger, outbox, audit] = [db.collection<{ _id: string; n: number }>('ledger'), db.collection<{ _id: string; n: number }>('outbox'), db.collection<{ _id: string; n: number }>('audit')];
    await Promise.all([ledger, outbox, audit].map((collection) => db.createCollection(collection.collectionName)));

    await withTransaction({
      client,
      fn: async (session) => {
        const batch = openInsertBatch(client, session);
        try {
          batch.insert(ledger, [
            { _id: 'l1', n: 1 },
            { _id: 'l2', n: 2 },
          ]);
          // Writers that offer to join do so; without a batch open they insert themselves.
          expect(joinInsertBatch(session, outbox, [{ _id: 'o1', n: 3 }])).toBe(true);
          expect(joinInsertBatch(session, audit, [{ _id: 'a1', n: 4 }])).toBe(true);
          expect(await ledger.countDocuments({}, { session })).toBe(0);
          await batch.flush();
        } finally {
          batch.discard();
        }
        expect(joinInsertBatch(session, audit, [{ _id: 'a2', n: 5 }])).toBe(false);
        expect(await outbox.countDocuments({})).toBe(0);
      },
    });
    expect(commands.filter((command) => !command.startsWith('count') && !command.startsWith('aggregate'))).toEqual(['bulkWrite ledger,outbox,audit', 'commitTransaction 1']);
    expect(await ledger.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'l1', n: 1 },
      { _id: 'l2', n: 2 },
    ]);
    expect(await outbox.countDocuments()).toBe(1);
    expect(await audit.countDocuments()).toBe(1);
  });

  it('one collection goes as its own insert; a discarded batch writes nothing', async () => {
    const fixture = createTestFixture({ label: 'ibatch1' });
    const { client, commands } = await recordingClient(`ibatch1-${randomUUID()}`);
    const db = client.db(fixture.dbName('batch'));
    const ledger = db.collection<{ _id: string }>('ledger');
    await db.createCollection('ledger');

    await expect(
      withTransaction({
        client,
        fn: async (session) => {
          const batch = openInsertBatch(client, session);
          batch.insert(ledger, [{ _id: 'dropped' }]);
          batch.discard();
          expect(joinInsertBatch(session, ledger, [{ _id: 'x' }])).toBe(false);
          const second = openInsertBatch(client, session);
          second.insert(ledger, [{ _id: 'kept' }]);
          // A movement inside a unit of work that batches already joins the outer batch.
          const inner = openInsertBatch(client, session);
          inner.insert(ledger, [{ _id: 'inner' }]);
          await inner.flush();
          expect(commands).toEqual([]);
          await second.flush();
          throw new Error('abort after the flush');
        },
      }),
    ).rejects.toThrow('abort after the flush');
    expect(commands).toEqual(['insert ledger', 'abortTransaction 1']);
    expect(await ledger.countDocuments()).toBe(0);
  });

  it('a transient error of the bulkWrite reaches the transaction with its label, which retries the whole body once', async () => {
    const fixture = createTestFixture({ label: 'ibatchretry' });
    const appName = `ibatchretry-${randomUUID()}`;
    const { client } = await recordingClient(appName);
    const db = client.db(fixture.dbName('batch'));
    const [a, b] = [db.collection<{ _id: string }>('a'), db.collection<{ _id: string }>('b')];
    await Promise.all([db.createCollection('a'), db.createCollection('b')]);
    await client
      .db('admin')
      .command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['bulkWrite'], errorCode: 112, errorLabels: ['TransientTransactionError'], appName } });
    onTestFinished(async () => {
      await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    });

    let attempts = 0;
    await withTransaction({
      client,
      fn: async (session) => {
        attempts += 1;
        const batch = openInsertBatch(client, session);
        try {
          batch.insert(a, [{ _id: 'a' }]);
          batch.insert(b, [{ _id: 'b' }]);
          await batch.flush();
        } finally {
          batch.discard();
        }
      },
    });
    expect(attempts).toBe(2);
    expect(await a.countDocuments()).toBe(1);
    expect(await b.countDocuments()).toBe(1);
  });
});
