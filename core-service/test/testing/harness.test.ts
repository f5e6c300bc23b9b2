import { describe, expect, it } from 'vitest';
import { assertRedisServerInstalled, createTestFixture, getTestInfrastructure, RedisServerMissingError, startRedisServer } from '../../src/testing/index.js';

describe('test harness', () => {
  it('gives every fixture its own tenant, database suffix and key prefix', () => {
    const a = createTestFixture();
    const b = createTestFixture();
    expect(a.tenantId).not.toBe(b.tenantId);
    expect(a.dbName('payment')).not.toBe(b.dbName('payment'));
    expect(a.key('x')).toBe(`${a.keyPrefix}x`);
    expect(a.key('x')).not.toBe(b.key('x'));
  });

  it('provides the run-wide Redis to every test', async () => {
    const fixture = createTestFixture();
    expect(getTestInfrastructure().redisUrl).toMatch(/^redis:\/\//);
    const redis = fixture.redis();
    await redis.set(fixture.key('hello'), 'world');
    expect(await redis.get(fixture.key('hello'))).toBe('world');
  });

  it('gives each fixture its own database on the run-wide MongoDB', async () => {
    const a = createTestFixture();
    const b = createTestFixture();
    await (await a.db('harness')).collection('things').insertOne({ tenantId: a.tenantId });
    expect(await (await a.db('harness')).collection('things').countDocuments({})).toBe(1);
    expect(await (await b.db('harness')).collection('things').countDocuments({})).toBe(0);
  });

  it('names the Debian package when redis-server is missing', () => {
    expect(() => assertRedisServerInstalled('redis-server-that-does-not-exist')).toThrow(RedisServerMissingError);
    expect(() => assertRedisServerInstalled('redis-server-that-does-not-exist')).toThrow(/Debian package 'redis-server'/);
  });

  it('restarts a dedicated redis-server on the same port, empty because persistence is off', async () => {
    const server = await startRedisServer();
    const { Redis } = await import('ioredis');
    try {
      const before = new Redis(server.url);
      await before.set('k', 'v');
      before.disconnect();
      await server.kill();
      expect(server.isRunning()).toBe(false);
      await server.restart();
      expect(server.isRunning()).toBe(true);
      const after = new Redis(server.url);
      try {
        expect(after.options.port).toBe(server.port);
        expect(await after.get('k')).toBeNull();
      } finally {
        after.disconnect();
      }
    } finally {
      await server.stop();
    }
  });
});
