import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { DebitQueue, DebitQueueBusyError, type BatchWork } from '../../src/wallet/debit-queue.js';

describe('DebitQueue', () => {
  it('runs the operations of one wallet one at a time, in arrival order, and other wallets alongside', async () => {
    const queue = new DebitQueue();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const op = (wallet: string, name: string, ms: number) =>
      queue.run(wallet, async () => {
        running += 1;
        most = Math.max(most, running);
        log.push(`start ${name}`);
        await delay(ms);
        log.push(`end ${name}`);
        running -= 1;
        return name;
      });
    const results = await Promise.all([op('a', 'a1', 20), op('a', 'a2', 5), op('a', 'a3', 1), op('b', 'b1', 5)]);
    expect(results).toEqual(['a1', 'a2', 'a3', 'b1']);
    const ofA = log.filter((line) => line.includes(' a'));
    expect(ofA).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
    expect(most).toBe(2); // a's one at a time, b beside it
    expect(queue.activeWallets).toBe(0);
  });

  it('a failing operation does not block the ones behind it', async () => {
    const queue = new DebitQueue();
    const first = queue.run('a', async () => {
      throw new Error('refused');
    });
    const second = queue.run('a', async () => 'ran');
    await expect(first).rejects.toThrow('refused');
    await expect(second).resolves.toBe('ran');
    expect(queue.activeWallets).toBe(0);
  });

  it('is bounded: past maxWaiting an operation is refused at once, as retryable', async () => {
    const queue = new DebitQueue({ maxWaiting: 2 });
    let release!: () => void;
    const blocker = queue.run(
      'a',
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('blocker');
        }),
    );
    const waiting = queue.run('a', async () => 'second');
    await expect(queue.run('a', async () => 'third')).rejects.toMatchObject({ extensions: { retryable: true, reason: 'full' } });
    release();
    expect(await Promise.all([blocker, waiting])).toEqual(['blocker', 'second']);
    expect(queue.activeWallets).toBe(0);
  });

  it('a wait past maxWaitMs gives up as retryable, and nothing behind it overtakes the operation still running', async () => {
    const queue = new DebitQueue({ maxWaitMs: 30 });
    let release!: () => void;
    let running = 0;
    let most = 0;
    const exclusive = (fn: () => Promise<string>) => async () => {
      running += 1;
      most = Math.max(most, running);
      try {
        return await fn();
      } finally {
        running -= 1;
      }
    };
    const blocker = queue.run(
      'a',
      exclusive(
        () =>
          new Promise<string>((resolve) => {
            release = () => resolve('blocker');
          }),
      ),
    );
    const gaveUp = queue.run(
      'a',
      exclusive(async () => 'never'),
    );
    await expect(gaveUp).rejects.toBeInstanceOf(DebitQueueBusyError);
    await expect(gaveUp).rejects.toMatchObject({ extensions: { retryable: true, reason: 'timeout' } });
    const after = queue.run(
      'a',
      exclusive(async () => 'after'),
    );
    await delay(10);
    expect(running).toBe(1);
    release();
    expect(await Promise.all([blocker, after])).toEqual(['blocker', 'after']);
    expect(most).toBe(1);
    expect(queue.activeWallets).toBe(0);
  });

  describe('runBatched', () => {
    /** Work that records each run; `many` fails when any item is in `refuse`. */
    function recordingWork(refuse: ReadonlySet<string> = new Set()) {
      const runs: string[][] = [];
      let gate: Promise<void> = Promise.resolve();
      let started!: () => void;
      const firstRun = new Promise<void>((resolve) => (started = resolve));
      const work: BatchWork<string, string> = {
        one: async (item) => {
          runs.push([item]);
          started();
          await gate;
          if (refuse.has(item)) throw new Error(`refused ${item}`);
          return `done ${item}`;
        },
        many: async (items) => {
          runs.push(items);
          started();
          await gate;
          if (items.some((item) => refuse.has(item))) throw new Error('batch refused');
          return items.map((item) => `done ${item}`);
        },
        joins: (leader, other) => !leader.startsWith('solo') && !other.startsWith('solo'),
      };
      return {
        work,
        runs,
        firstRun,
        hold: (until: Promise<void>): void => {
          gate = until;
        },
      };
    }

    it('the operations queued behind a running one run together at the next turn, each with its own result', async () => {
      const queue = new DebitQueue();
      const { work, runs, firstRun, hold } = recordingWork();
      let open!: () => void;
      hold(new Promise<void>((resolve) => (open = resolve)));
      const first = queue.runBatched('a', 'p1', work);
      await firstRun;
      const behind = ['p2', 'p3', 'p4'].map((item) => queue.runBatched('a', item, work));
      // p1 has its turn alone; the others wait behind it.
      expect(runs).toEqual([['p1']]);
      hold(Promise.resolve());
      open();
      expect(await Promise.all([first, ...behind])).toEqual(['done p1', 'done p2', 'done p3', 'done p4']);
      expect(runs).toEqual([['p1'], ['p2', 'p3', 'p4']]);
      expect(queue.activeWallets).toBe(0);
    });

    it('a batch that fails runs each of its operations alone, and only the refused one fails', async () => {
      const queue = new DebitQueue();
      const { work, runs, firstRun, hold } = recordingWork(new Set(['p3']));
      let open!: () => void;
      hold(new Promise<void>((resolve) => (open = resolve)));
      const first = queue.runBatched('a', 'p1', work);
      await firstRun;
      const behind = ['p2', 'p3', 'p4'].map((item) => queue.runBatched('a', item, work));
      hold(Promise.resolve());
      open();
      const outcomes = await Promise.allSettled([first, ...behind]);
      expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message))).toEqual(['done p1', 'done p2', 'refused p3', 'done p4']);
      expect(runs).toEqual([['p1'], ['p2', 'p3', 'p4'], ['p2'], ['p3'], ['p4']]);
      expect(queue.activeWallets).toBe(0);
    });

    it('takes only what joins allows and at most maxBatch; the rest keep their turn', async () => {
      const queue = new DebitQueue({ maxBatch: 2 });
      const { work, runs, firstRun, hold } = recordingWork();
      let open!: () => void;
      hold(new Promise<void>((resolve) => (open = resolve)));
      const first = queue.runBatched('a', 'p1', work);
      await firstRun;
      const all = [first, ...['p2', 'solo5', 'p3', 'p4'].map((item) => queue.runBatched('a', item, work))];
      hold(Promise.resolve());
      open();
      expect(await Promise.all(all)).toEqual(['done p1', 'done p2', 'done solo5', 'done p3', 'done p4']);
      expect(runs).toEqual([['p1'], ['p2', 'p3'], ['solo5'], ['p4']]);
      expect(queue.activeWallets).toBe(0);
    });

    it("an operation taken into a batch gets the batch's result even when its own wait runs out", async () => {
      const queue = new DebitQueue({ maxWaitMs: 20 });
      let releaseFirst!: () => void;
      let firstStarted!: () => void;
      const firstRunning = new Promise<void>((resolve) => (firstStarted = resolve));
      let finishBatch!: () => void;
      const batchRunning = new Promise<void>((resolve) => (finishBatch = resolve));
      const work: BatchWork<string, string> = {
        one: (item, release) =>
          new Promise<string>((resolve) => {
            firstStarted();
            releaseFirst = () => {
              release();
              resolve(`done ${item}`);
            };
          }),
        many: async (items) => {
          await batchRunning; // longer than the others' 20 ms wait
          return items.map((item) => `done ${item}`);
        },
        joins: () => true,
      };
      const first = queue.runBatched('a', 'p1', work);
      await firstRunning;
      const second = queue.runBatched('a', 'p2', work);
      const third = queue.runBatched('a', 'p3', work);
      releaseFirst();
      await delay(60);
      finishBatch();
      expect(await Promise.all([first, second, third])).toEqual(['done p1', 'done p2', 'done p3']);
      expect(queue.activeWallets).toBe(0);
    });
  });
});
