import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { DebitQueue, DebitQueueBusyError } from '../../src/wallet/debit-queue.js';

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
});
