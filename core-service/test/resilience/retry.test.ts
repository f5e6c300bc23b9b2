import { describe, expect, it, vi } from 'vitest';
import { computeRetryDelay, retry, RetryConfigs } from '../../src/resilience/index.js';

describe('retry', () => {
  it('retries until the call succeeds', async () => {
    const fn = vi.fn<(attempt: number) => Promise<string>>().mockRejectedValueOnce(new Error('blip')).mockRejectedValueOnce(new Error('blip')).mockResolvedValue('ok');
    const onRetry = vi.fn();
    expect(await retry(fn, { maxAttempts: 3, initialDelay: 1, onRetry })).toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
    expect(onRetry).toHaveBeenCalledTimes(2);
  });

  it('throws the last error when attempts run out', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new Error(`failure ${calls}`);
        },
        { maxAttempts: 3, initialDelay: 1 },
      ),
    ).rejects.toThrow('failure 3');
    expect(calls).toBe(3);
  });

  it('stops at once when the predicate says the error is not worth retrying', async () => {
    const fn = vi.fn(() => Promise.reject(Object.assign(new Error('bad input'), { permanent: true })));
    await expect(retry(fn, { maxAttempts: 5, initialDelay: 1, shouldRetry: (error) => !(error as { permanent?: boolean }).permanent })).rejects.toThrow('bad input');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('waits exponentially longer between attempts, capped, with full jitter', () => {
    const config = { maxAttempts: 10, initialDelay: 100, maxDelay: 1_000, strategy: 'exponential' as const };
    expect([1, 2, 3, 4, 5].map((attempt) => computeRetryDelay(config, attempt))).toEqual([100, 200, 400, 800, 1_000]);
    expect(computeRetryDelay({ ...config, jitter: true }, 3, () => 0.5)).toBe(200);
    expect(computeRetryDelay({ ...config, strategy: 'linear' }, 3)).toBe(300);
    expect(computeRetryDelay({ ...config, strategy: 'fixed' }, 3)).toBe(100);
  });

  it('ships presets named as the brief names them', () => {
    expect(RetryConfigs.fast).toMatchObject({ maxAttempts: 3, initialDelay: 100 });
    expect(RetryConfigs.standard).toMatchObject({ maxAttempts: 5, initialDelay: 1_000 });
    expect(RetryConfigs.slow).toMatchObject({ maxAttempts: 10, initialDelay: 5_000 });
  });

  it('gives up when aborted between attempts', async () => {
    const controller = new AbortController();
    const fn = vi.fn(async () => {
      controller.abort();
      throw new Error('fail');
    });
    await expect(retry(fn, { maxAttempts: 5, initialDelay: 10_000, signal: controller.signal })).rejects.toThrow('fail');
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
