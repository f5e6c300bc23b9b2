import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, MongoServerError } from 'mongodb';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/index.js';
import { startCli } from '../helpers/cli.js';

/** Documents with any `_id` (the driver's default schema types `_id` as an ObjectId). */
type Doc = { _id: number | string; n?: number; [field: string]: unknown };

let server: EmbeddedMongo;
let client: MongoClient;

beforeAll(async () => {
  server = await startEmbeddedMongo();
  client = await new MongoClient(server.replicaSetUri, { appName: 'fail-points-test' }).connect();
});
afterEach(async () => {
  await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

const failCommand = (mode: unknown, data: Record<string, unknown>) => client.db('admin').command({ configureFailPoint: 'failCommand', mode, data });

describe('the failCommand fail point', () => {
  it('fails the listed command with errorCode and errorLabels, {times: n} times', async () => {
    await failCommand({ times: 2 }, { failCommands: ['insert'], errorCode: 112, errorLabels: ['TransientTransactionError'] });
    const coll = client.db('fp').collection<Doc>('times');
    for (let i = 0; i < 2; i++) {
      const error = await coll.insertOne({ _id: i }, { writeConcern: { w: 1 } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(112);
      expect((error as MongoServerError).errorLabels).toEqual(['TransientTransactionError']);
    }
    await coll.insertOne({ _id: 2 });
    expect(await coll.countDocuments()).toBe(1);
  });

  it('{skip: n} lets n commands through, then fails every one; off disarms it and answers the count', async () => {
    await failCommand({ skip: 1 }, { failCommands: ['find'], errorCode: 2 });
    const coll = client.db('fp').collection<Doc>('skip');
    await coll.findOne({});
    await expect(coll.findOne({})).rejects.toMatchObject({ code: 2 });
    await expect(coll.findOne({})).rejects.toMatchObject({ code: 2 });
    const off = await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
    expect(off.count).toBe(2);
    await coll.findOne({});
  });

  it('adds the labels mongod adds itself: RetryableWriteError for a retryable write, which the driver then retries', async () => {
    await failCommand({ times: 1 }, { failCommands: ['update'], errorCode: 91 });
    const coll = client.db('fp').collection<Doc>('retryable');
    await coll.insertOne({ _id: 1, n: 0 });
    await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } } as never);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });

  it('closeConnection drops the connection without running the command; a retryable write is applied once', async () => {
    await failCommand({ times: 1 }, { failCommands: ['insert'], closeConnection: true });
    const coll = client.db('fp').collection<Doc>('close');
    await coll.insertOne({ _id: 'once' });
    expect(await coll.countDocuments({ _id: 'once' })).toBe(1);
  });

  it('blockConnection delays the command by blockTimeMS, then runs it', async () => {
    await failCommand({ times: 1 }, { failCommands: ['ping'], blockConnection: true, blockTimeMS: 200 });
    const started = Date.now();
    await client.db('admin').command({ ping: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('writeConcernError: the command runs and the reply carries the error', async () => {
    await failCommand({ times: 1 }, { failCommands: ['insert'], writeConcernError: { code: 100, errmsg: 'Not enough data-bearing nodes' } });
    const coll = client.db('fp').collection<Doc>('wce');
    await expect(coll.insertOne({ _id: 1 })).rejects.toMatchObject({ code: 100 });
    expect(await coll.countDocuments()).toBe(1);
  });

  it('appName limits it to the clients that gave that name in their handshake', async () => {
    await failCommand('alwaysOn', { failCommands: ['count'], errorCode: 2, appName: 'someone-else' });
    expect(await client.db('fp').command({ count: 'x' })).toMatchObject({ ok: 1 });
    await failCommand('alwaysOn', { failCommands: ['count'], errorCode: 2, appName: 'fail-points-test' });
    await expect(client.db('fp').command({ count: 'x' })).rejects.toMatchObject({ code: 2 });
  });

  it('an error on a statement of a transaction does not end it: the statement may be retried', async () => {
    const coll = client.db('fp').collection<Doc>('txn');
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 0 }, { session });
      await failCommand({ times: 1 }, { failCommands: ['insert'], errorCode: 112 });
      await expect(coll.insertOne({ _id: 1 }, { session })).rejects.toMatchObject({ code: 112, errorLabels: ['TransientTransactionError'] });
      await coll.insertOne({ _id: 1 }, { session });
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(2);
  });

  it('refuses other fail points, other databases and malformed data', async () => {
    await expect(client.db('admin').command({ configureFailPoint: 'hangBeforeCommit', mode: 'alwaysOn' })).rejects.toMatchObject({ code: 266 });
    await expect(client.db('fp').command({ configureFailPoint: 'failCommand', mode: 'off' })).rejects.toMatchObject({ code: 13 });
    await expect(failCommand('alwaysOn', { errorCode: 2 })).rejects.toMatchObject({ code: 2 });
    await expect(failCommand({ sometimes: 1 }, { failCommands: ['find'] })).rejects.toMatchObject({ code: 2 });
  });
});

describe('without test commands', () => {
  it('configureFailPoint is an unknown command, as on a production mongod', async () => {
    const production = await startEmbeddedMongo({ enableTestCommands: false });
    const other = await new MongoClient(production.uri).connect();
    try {
      await expect(other.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' })).rejects.toMatchObject({
        code: 59,
        codeName: 'CommandNotFound',
        message: "no such command: 'configureFailPoint'",
      });
    } finally {
      await other.close();
      await production.stop();
    }
  });

  it('the CLI enables them only with --enable-test-commands', async () => {
    for (const [args, enabled] of [
      [[], false],
      [['--enable-test-commands'], true],
      [['--setParameter', 'enableTestCommands=1'], true],
    ] as const) {
      const cli = await startCli(['--port', '0', ...args]);
      const other = await new MongoClient(cli.uri).connect();
      try {
        const reply = await other
          .db('admin')
          .command({ configureFailPoint: 'failCommand', mode: 'off' })
          .catch((e: MongoServerError) => e);
        expect(reply instanceof MongoServerError ? reply.code : reply.ok, args.join(' ')).toBe(enabled ? 1 : 59);
      } finally {
        await other.close();
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
    }
  });
});
