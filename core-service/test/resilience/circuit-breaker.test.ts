import { describe, expect, it } from 'vitest';
import { CircuitOpenError, createCircuitBreaker } from '../../src/resilience/index.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const fail = () => Promise.reject(new Error('dependency down'));
const succeed = () => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  it('opens after the failure threshold and rejects without calling the dependency', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, resetTimeout: 30_000, monitoringWindow: 60_000, now: time.now });
    const transitions: string[] = [];
    breaker.on('state-change', (from: string, to: string) => transitions.push(`${from}->${to}`));

    for (let index = 0; index < 3; index += 1) await expect(breaker.execute(fail)).rejects.toThrow('dependency down');
    expect(breaker.state).toBe('open');

    let called = false;
    await expect(breaker.execute(async () => (called = true))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(called).toBe(false);
    expect(transitions).toEqual(['closed->open']);
  });

  it('goes half-open after the reset timeout and closes on a successful trial', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 2, resetTimeout: 10_000, now: time.now });
    const events: string[] = [];
    for (const name of ['open', 'half-open', 'close']) breaker.on(name, () => events.push(name));

    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    time.advance(9_999);
    expect(breaker.state).toBe('open');
    time.advance(1);
    expect(breaker.state).toBe('half-open');
    expect(await breaker.execute(succeed)).toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(events).toEqual(['open', 'half-open', 'close']);
  });

  it('reopens when the half-open trial fails, and lets only one trial through at a time', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 1, resetTimeout: 1_000, now: time.now });
    await expect(breaker.execute(fail)).rejects.toThrow();
    time.advance(1_000);

    let release: () => void = () => undefined;
    const trial = breaker.execute(() => new Promise<never>((_resolve, reject) => (release = () => reject(new Error('still down')))));
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    release();
    await expect(trial).rejects.toThrow('still down');
    expect(breaker.state).toBe('open');
  });

  it('forgets failures that fall out of the monitoring window', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({ failureThreshold: 3, monitoringWindow: 10_000, now: time.now });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    time.advance(11_000);
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed');
    expect(breaker.getStats().failures).toBe(1);
  });

  it('opens on the failure rate once enough calls were seen', async () => {
    const time = clock();
    const breaker = createCircuitBreaker({
      failureThreshold: 1_000,
      failureRateThreshold: 50,
      minimumRequests: 10,
      now: time.now,
    });
    for (let index = 0; index < 5; index += 1) await breaker.execute(succeed);
    for (let index = 0; index < 4; index += 1) await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('closed'); // 9 calls: below the minimum
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(breaker.state).toBe('open'); // 5 of 10 failed
  });

  it("does not count errors the predicate says are not the dependency's fault", async () => {
    const breaker = createCircuitBreaker({ failureThreshold: 1, isFailure: (error) => !(error instanceof RangeError) });
    await expect(breaker.execute(() => Promise.reject(new RangeError('bad argument')))).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });
});
