/**
 * Several client processes, one engine: value moves between accounts in transactions from
 * every process at once. Conflicts must be retried (withTransaction) and never lose or create
 * money.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('concurrency');

const PROCESSES = 3;
const SESSIONS_PER_PROCESS = 8;
const TRANSFERS_PER_SESSION = 25;
const ACCOUNTS = 6; // few accounts: many sessions collide on the same documents
const INITIAL_BALANCE = 200;

/** Runs a worker script in its own Node process; resolves with its stdout. */
function runWorker(script: string, args: string[]): Promise<string> {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${script} exited with ${code}: ${stderr}`));
    });
  });
}

interface Tally {
  committed: number;
  insufficient: number;
  attempts: number;
  transientErrors: number;
  committedAmount: number;
}

describe('transfers from several processes', () => {
  it('conserves the total, never goes negative, and records exactly one ledger entry per committed transfer', async () => {
    const db = engine.db('transfers');
    const accounts = db.collection<{ _id: string; balance: number }>('accounts');
    await accounts.insertMany(Array.from({ length: ACCOUNTS }, (_, i) => ({ _id: `acc${i}`, balance: INITIAL_BALANCE })));
    await db.createCollection('ledger');

    // While the workers run, snapshot transactions here must always see the whole total:
    // a commit becomes visible all at once or not at all.
    let workersDone = false;
    const observedTotals: number[] = [];
    const observer = (async () => {
      const session = engine.client.startSession();
      try {
        while (!workersDone) {
          session.startTransaction({ readConcern: { level: 'snapshot' } });
          const [sum] = await accounts.aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$balance' } } }], { session }).toArray();
          await session.commitTransaction();
          observedTotals.push(sum!.total);
        }
      } finally {
        await session.endSession();
      }
    })();
    const outputs = await Promise.all(
      Array.from({ length: PROCESSES }, (_, p) =>
        runWorker('./transfer-worker.ts', [engine.uri, db.databaseName, `w${p}`, String(SESSIONS_PER_PROCESS), String(TRANSFERS_PER_SESSION), String(ACCOUNTS)]),
      ),
    ).finally(() => {
      workersDone = true;
    });
    await observer;
    expect(observedTotals.length).toBeGreaterThan(0);
    expect(observedTotals.filter((t) => t !== ACCOUNTS * INITIAL_BALANCE)).toEqual([]);
    const tallies = outputs.map((o) => JSON.parse(o.trim()) as Tally);
    const committed = tallies.reduce((s, t) => s + t.committed, 0);
    const insufficient = tallies.reduce((s, t) => s + t.insufficient, 0);
    const attempts = tallies.reduce((s, t) => s + t.attempts, 0);
    const transient = tallies.reduce((s, t) => s + t.transientErrors, 0);

    console.info(
      `transfers: ${committed} committed, ${insufficient} refused (insufficient), ${attempts} attempts, ` + `${transient} transient errors; ${observedTotals.length} snapshot totals observed`,
    );
    expect(committed + insufficient).toBe(PROCESSES * SESSIONS_PER_PROCESS * TRANSFERS_PER_SESSION);
    const balances = await accounts.find().toArray();
    expect(balances).toHaveLength(ACCOUNTS);
    expect(balances.reduce((s, a) => s + a.balance, 0)).toBe(ACCOUNTS * INITIAL_BALANCE);
    expect(balances.filter((a) => a.balance < 0)).toEqual([]);
    const ledger = db.collection<{ _id: string; from: string; to: string; amount: number }>('ledger');
    expect(await ledger.countDocuments()).toBe(committed);

    // Replaying the ledger from the initial balances gives exactly the stored balances.
    const replayed = new Map(balances.map((a) => [a._id, INITIAL_BALANCE]));
    for (const entry of await ledger.find().toArray()) {
      replayed.set(entry.from, replayed.get(entry.from)! - entry.amount);
      replayed.set(entry.to, replayed.get(entry.to)! + entry.amount);
    }
    expect(Object.fromEntries(replayed)).toEqual(Object.fromEntries(balances.map((a) => [a._id, a.balance])));

    // 24 sessions over 6 accounts collide: conflicts happened and were retried, not lost.
    expect(transient).toBeGreaterThan(0);
    expect(attempts).toBeGreaterThan(committed + insufficient);
  }, 180_000);
});

describe('non-transactional increments from several processes', () => {
  it('every acknowledged $inc is applied exactly once', async () => {
    const db = engine.db('increments');
    await db.collection<{ _id: number; n: number }>('counters').insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: i, n: 0 })));
    const outputs = await Promise.all(Array.from({ length: PROCESSES }, () => runWorker('./inc-worker.ts', [engine.uri, db.databaseName, '5', '8', '400'])));
    const perProcess = outputs.map((o) => JSON.parse(o.trim()) as number[]);
    const expected = perProcess.reduce((acc, counts) => acc.map((n, i) => n + counts[i]!), new Array<number>(5).fill(0));
    const stored = await db.collection<{ _id: number; n: number }>('counters').find().sort({ _id: 1 }).toArray();
    const storedCounts = new Array<number>(5).fill(0);
    for (const doc of stored) storedCounts[doc._id] = doc.n;
    expect(storedCounts).toEqual(expected);
    expect(storedCounts.reduce((a, b) => a + b, 0)).toBe(PROCESSES * 400);
  }, 120_000);
});

describe('unique index under concurrent inserts from several processes', () => {
  it('each key is claimed exactly once; every other attempt fails with 11000', async () => {
    const db = engine.db('unique');
    await db.collection('claims').createIndex({ key: 1 }, { unique: true });
    const KEYS = 300;
    const outputs = await Promise.all(Array.from({ length: PROCESSES }, (_, p) => runWorker('./unique-worker.ts', [engine.uri, db.databaseName, String(KEYS), '6', `w${p}`])));
    const tallies = outputs.map((o) => JSON.parse(o.trim()) as { inserted: number; duplicates: number });
    expect(tallies.reduce((s, t) => s + t.inserted, 0)).toBe(KEYS);
    expect(tallies.reduce((s, t) => s + t.duplicates, 0)).toBe(KEYS * (PROCESSES - 1));
    expect(await db.collection('claims').countDocuments()).toBe(KEYS);
    expect((await db.collection('claims').distinct('key')).length).toBe(KEYS);
  }, 120_000);
});
