import { afterEach, describe, expect, it, vi } from 'vitest';
import { BulkheadQueueTimeoutError, BulkheadRejectedError, createBulkhead } from '../../src/resilience/index.js';
import { deferred } from '../cache/cache-fixture.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Bulkhead', () => {
  it('runs at most maxConcurrent calls and queues the rest in order', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 2, maxQueue: 2 });
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()];
    const started: number[] = [];
    const calls = gates.map((gate, index) =>
      bulkhead.execute(() => {
        started.push(index);
        return gate.promise;
      }),
    );
    expect(started).toEqual([0, 1]);
    expect(bulkhead.getStats()).toMatchObject({ running: 2, queued: 1 });

    gates[0]?.resolve(0);
    await calls[0];
    await vi.waitUntil(() => started.length === 3);
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve(1);
    gates[2]?.resolve(2);
    expect(await Promise.all(calls)).toEqual([0, 1, 2]);
    expect(bulkhead.getStats()).toMatchObject({ running: 0, queued: 0 });
  });

  it('rejects at once when the queue is full', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred<void>();
    const running = bulkhead.execute(() => gate.promise);
    const queued = bulkhead.execute(() => Promise.resolve());
    await expect(bulkhead.execute(() => Promise.resolve())).rejects.toBeInstanceOf(BulkheadRejectedError);
    gate.resolve();
    await Promise.all([running, queued]);
  });

  it('fails a queued call that waits longer than the queue timeout, and frees its place', async () => {
    vi.useFakeTimers();
    const bulkhead = createBulkhead({ maxConcurrent: 1, maxQueue: 1, queueTimeout: 500 });
    const gate = deferred<void>();
    const running = bulkhead.execute(() => gate.promise);
    const waiting = bulkhead.execute(() => Promise.resolve('never'));
    const assertion = expect(waiting).rejects.toBeInstanceOf(BulkheadQueueTimeoutError);

    await vi.advanceTimersByTimeAsync(499);
    expect(bulkhead.getStats().queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await assertion;
    expect(bulkhead.getStats().queued).toBe(0);

    gate.resolve();
    await running;
    expect(await bulkhead.execute(() => Promise.resolve('next'))).toBe('next');
  });

  it('releases its slot when the call throws', async () => {
    const bulkhead = createBulkhead({ maxConcurrent: 1 });
    await expect(bulkhead.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await bulkhead.execute(() => Promise.resolve('ok'))).toBe('ok');
  });
});
