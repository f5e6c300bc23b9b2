import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MultiLevelCache } from '../../src/cache/index.js';
import { configureLogger, createLogger, createServiceLogger, getCorrelationId, getLogger, logger, REDACTED, runWithCorrelationId } from '../../src/logger/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { connectTestRedis, nextEvent } from '../cache/cache-fixture.js';
import { createLogCapture } from './log-capture.js';

afterEach(() => {
  configureLogger({ level: 'silent' });
});

describe('logger', () => {
  it("stamps the request's correlation id on every log line, across every async hop", async () => {
    const fixture = createTestFixture();
    const capture = createLogCapture();
    configureLogger({ service: 'payment-service', level: 'debug', destination: capture.stream });
    const redis = await connectTestRedis(fixture.redisUrl);
    const cache = new MultiLevelCache({ redis, keyPrefix: `${fixture.keyPrefix}cache:`, gracePeriod: 0 });
    const emitter = new EventEmitter();
    emitter.on('transfer', () => logger.info('event listener'));

    const handleRequest = async (): Promise<void> => {
      logger.info('request received');
      await Promise.resolve();
      logger.info('after a microtask');
      await delay(1);
      getLogger('wallet').info('after a timer, from a service child logger');
      await new Promise<void>((resolve) => setImmediate(resolve));
      createServiceLogger('ledger').info('after setImmediate');
      await redis.ping();
      logger.info('after a Redis round trip');
      emitter.emit('transfer');
      await Promise.all(
        [1, 2].map(async (index) => {
          await delay(1);
          logger.info({ index }, 'in parallel branch');
        }),
      );
      // A failing background refresh logs from inside the cache, long after the caller returned.
      await cache.cached('k', 0.001, () => Promise.resolve(1), { grace: 60 });
      const expired = Date.now() + 2;
      await vi.waitUntil(() => Date.now() > expired);
      const refreshFailed = nextEvent(cache, 'refresh-failed');
      await cache.cached('k', 60, () => Promise.reject(new Error('source down')), { grace: 60 });
      await refreshFailed;
      logger.info('response sent');
    };

    await Promise.all([runWithCorrelationId('corr-a', handleRequest), runWithCorrelationId('corr-b', async () => logger.info('another request at the same time'))]);
    await cache.close();

    const requestLines = capture.lines.filter((line) => line['correlationId'] !== 'corr-b');
    expect(requestLines.length).toBeGreaterThanOrEqual(10);
    for (const line of requestLines) expect(line).toMatchObject({ correlationId: 'corr-a' });
    expect(capture.lines.filter((line) => line['correlationId'] === 'corr-b')).toHaveLength(1);
    expect(requestLines.find((line) => line['msg'] === 'after a timer, from a service child logger')).toMatchObject({ service: 'wallet' });
  });

  it('follows the root logger when it is reconfigured, level changes included', () => {
    const capture = createLogCapture();
    configureLogger({ level: 'warn', destination: capture.stream });
    logger.info('dropped at warn level');
    logger.level = 'info';
    logger.info('kept');
    expect(capture.lines.map((line) => line['msg'])).toEqual(['kept']);
  });

  it('generates a correlation id when none is given, and has none outside a request', () => {
    expect(getCorrelationId()).toBeUndefined();
    const id = runWithCorrelationId(undefined, () => getCorrelationId());
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('adds request fields to every line', () => {
    const capture = createLogCapture();
    const log = createLogger({ level: 'info', destination: capture.stream });
    runWithCorrelationId('c1', () => log.info('hello'), { tenantId: 't1' });
    expect(capture.lines[0]).toMatchObject({ correlationId: 'c1', tenantId: 't1', msg: 'hello' });
  });

  it('redacts secrets at the top level and nested', () => {
    const capture = createLogCapture();
    const log = createLogger({ level: 'info', destination: capture.stream, redactFields: ['pin'] });
    log.info(
      {
        password: 'hunter2',
        user: { email: 'a@b.c', refreshToken: 'rt-secret' },
        req: { headers: { authorization: 'Bearer abc', 'x-api-key': 'k-123' } },
        config: { jwt: { secret: 'jwt-secret' } },
        pin: '1234',
      },
      'login',
    );
    const text = JSON.stringify(capture.lines[0]);
    for (const secret of ['hunter2', 'rt-secret', 'Bearer abc', 'k-123', 'jwt-secret', '1234']) expect(text).not.toContain(secret);
    expect(capture.lines[0]).toMatchObject({ password: REDACTED, user: { email: 'a@b.c', refreshToken: REDACTED } });
  });

  it('writes JSON lines with level, time and service', async () => {
    const capture = createLogCapture();
    const log = createLogger({ service: 'auth-service', level: 'info', destination: capture.stream });
    log.warn('careful');
    expect(capture.lines[0]).toMatchObject({ level: 40, service: 'auth-service', msg: 'careful' });
    expect(typeof capture.lines[0]?.['time']).toBe('string');
  });
});
