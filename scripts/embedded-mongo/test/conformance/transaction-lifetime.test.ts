/**
 * Transactions that outlive transactionLifetimeLimitSeconds (60 s by default) are aborted by the
 * server, and killSessions aborts a session's open transaction. The lifetime test lowers the
 * limit at runtime (`setParameter`, as on mongod) instead of waiting a minute; a real server's
 * reaper may still take up to a minute to act, hence the long upper bound.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { MongoServerError, type ClientSession, type Collection } from 'mongodb';
import { rejectionOf, useTestEngine, waitFor } from '../helpers/engine.js';

const engine = useTestEngine('txnlife');

/** A real server's transaction reaper may act up to a minute after the limit passes. */
const LIFETIME_WAIT_MS = 150_000;

/** True once a fresh transaction can write the document, i.e. no other transaction holds it. */
async function documentIsFree(coll: Collection<{ _id: string; v: number }>, probe: ClientSession): Promise<boolean> {
  probe.startTransaction();
  try {
    await coll.updateOne({ _id: 'held' }, { $set: { probedAt: new Date() } as never }, { session: probe });
  } catch (error) {
    await probe.abortTransaction().catch(() => undefined);
    if (error instanceof MongoServerError && error.code === 112) return false;
    throw error;
  }
  await probe.abortTransaction();
  return true;
}

describe('transaction lifetime', () => {
  it(
    'a transaction older than transactionLifetimeLimitSeconds is aborted: its document is released and commit fails with NoSuchTransaction (251)',
    async () => {
      const admin = engine.client.db('admin');
      const { was } = await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: 2 });
      onTestFinished(() => admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: was }).then(() => undefined));
      expect(await admin.command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 })).toMatchObject({ transactionLifetimeLimitSeconds: 2 });
      const coll = engine.db('lifetime').collection<{ _id: string; v: number }>('c');
      await coll.insertOne({ _id: 'held', v: 0 });
      const old = engine.client.startSession();
      const probe = engine.client.startSession();
      try {
        old.startTransaction();
        await coll.updateOne({ _id: 'held' }, { $set: { v: 1 } }, { session: old });
        expect(await documentIsFree(coll, probe)).toBe(false);
        await waitFor(() => documentIsFree(coll, probe), {
          timeoutMs: LIFETIME_WAIT_MS,
          intervalMs: 250,
          what: 'the server to abort the expired transaction',
        });
        const error = await rejectionOf(old.commitTransaction());
        expect(error.code).toBe(251);
        expect(error.codeName).toBe('NoSuchTransaction');
      } finally {
        await old.endSession().catch(() => undefined);
        await probe.endSession();
      }
      expect(await coll.findOne({ _id: 'held' })).toEqual({ _id: 'held', v: 0 });
    },
    LIFETIME_WAIT_MS + 15_000,
  );

  it('setParameter refuses unknown parameters, bad values and databases other than admin', async () => {
    const admin = engine.client.db('admin');
    expect((await rejectionOf(admin.command({ setParameter: 1, noSuchParameter: 1 }))).code).toBe(72);
    expect((await rejectionOf(admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: 0 }))).code).toBe(2);
    expect((await rejectionOf(engine.db('other').command({ setParameter: 1, transactionLifetimeLimitSeconds: 5 }))).code).toBe(13);
  });

  it('killSessions aborts the session’s open transaction and releases its documents', async () => {
    const coll = engine.db('kill').collection<{ _id: string; v: number }>('c');
    await coll.insertOne({ _id: 'held', v: 0 });
    const victim = engine.client.startSession();
    const probe = engine.client.startSession();
    try {
      victim.startTransaction();
      await coll.updateOne({ _id: 'held' }, { $set: { v: 1 } }, { session: victim });
      expect(await documentIsFree(coll, probe)).toBe(false);
      const reply = await engine.client.db('admin').command({ killSessions: [victim.id] });
      expect(reply.ok).toBe(1);
      // Killing is asynchronous on a real server; wait (bounded) for the document to be released.
      await waitFor(() => documentIsFree(coll, probe), { timeoutMs: 10_000, what: 'killSessions to abort the transaction' });
      await victim.abortTransaction().catch(() => undefined);
    } finally {
      await victim.endSession().catch(() => undefined);
      await probe.endSession();
    }
    expect(await coll.findOne({ _id: 'held' })).toEqual({ _id: 'held', v: 0 });
  });

  it('endSessions is accepted and ends the sessions', async () => {
    const session = engine.client.startSession();
    const reply = await engine.client.db('admin').command({ endSessions: [session.id] });
    expect(reply.ok).toBe(1);
    await session.endSession();
  });
});
