import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { closeRedis, connectRedis, getRedis, getRedisConnectionStats, redisConfigFromEnv } from '../../src/redis/index.js';
import { nextEvent, startRedisSentinel, startRedisServer } from '../../src/testing/index.js';

afterEach(async () => {
  await closeRedis();
});

describe('connectRedis with Sentinel', () => {
  it('finds the master through Sentinel and follows it to the promoted replica after a failover', async () => {
    const master = await startRedisServer();
    onTestFinished(() => master.stop());
    const replica = await startRedisServer({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    onTestFinished(() => replica.stop());
    const sentinel = await startRedisSentinel({ masterPort: master.port, downAfterMs: 500 });
    onTestFinished(() => sentinel.stop());

    // As a service configures it: from its environment. REDIS_URL names a host nobody listens
    // on (only its database number counts here): the master's address comes from Sentinel.
    const config = redisConfigFromEnv(
      { REDIS_URL: 'redis://nowhere.invalid:1/3', REDIS_SENTINELS: ` ${sentinel.host}:${sentinel.port} , `, REDIS_SENTINEL_MASTER: sentinel.masterName },
      {
        reconnectDelay: 50,
        maxReconnectDelay: 500,
        // WAIT below blocks server-side for as long as the replica takes to acknowledge; on a
        // loaded machine that exceeds the 2 s default that fails calls to a frozen server.
        commandTimeout: 10_000,
      },
    );
    await connectRedis(config);
    expect(getRedisConnectionStats()).toMatchObject({ connected: true, mode: 'sentinel' });
    expect(await serverPort()).toBe(master.port);
    // Database 3, from the URL.
    expect(((await getRedis().call('CLIENT', 'INFO')) as string).match(/ db=(\d+)/)?.[1]).toBe('3');
    await getRedis().set('before-failover', '1');
    // The replica must hold the data before the master dies, or the failover would lose it.
    expect(await getRedis().call('WAIT', '1', '8000')).toBe(1);

    const reconnected = nextEvent(getRedis(), 'ready');
    await master.kill();
    await reconnected;
    // Sentinel needs down-after + election time; until then reconnects fail. Wait for the
    // connection to answer from the promoted replica.
    await vi.waitUntil(
      async () => {
        try {
          const role = (await getRedis().call('ROLE')) as [string];
          return role[0] === 'master' && (await serverPort()) === replica.port;
        } catch {
          return false;
        }
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(await getRedis().get('before-failover')).toBe('1');
    await getRedis().set('after-failover', '2');
    expect(await getRedis().get('after-failover')).toBe('2');
  }, 40_000);
});

describe('redisConfigFromEnv', () => {
  it('reads a plain URL, Sentinels with their master group and password, and refuses malformed values naming the variable', () => {
    expect(redisConfigFromEnv({}, { clientName: 'x' })).toEqual({ clientName: 'x', url: 'redis://localhost:6379' });
    expect(redisConfigFromEnv({ REDIS_URL: 'rediss://:p%40ss@cache:6380/2' })).toEqual({ url: 'rediss://:p%40ss@cache:6380/2' });
    expect(redisConfigFromEnv({ REDIS_SENTINELS: 's1:26379,[::1]:26380', REDIS_SENTINEL_PASSWORD: 'sp' })).toEqual({
      url: 'redis://localhost:6379',
      sentinel: {
        hosts: [
          { host: 's1', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        name: 'mymaster',
        password: 'sp',
      },
    });
    expect(redisConfigFromEnv({ REDIS_SENTINELS: 's1:1', REDIS_SENTINEL_MASTER: 'payments' }).sentinel).toEqual({ hosts: [{ host: 's1', port: 1 }], name: 'payments' });
    expect(() => redisConfigFromEnv({ REDIS_URL: 'localhost:6379' })).toThrow('REDIS_URL must be a redis:// or rediss:// URL');
    // Production names its Redis: no localhost default there.
    expect(() => redisConfigFromEnv({ NODE_ENV: 'production' })).toThrow('REDIS_URL (or REDIS_SENTINELS) is required in production');
    expect(() => redisConfigFromEnv({ NODE_ENV: 'production', REDIS_URL: '' })).toThrow('REDIS_URL (or REDIS_SENTINELS) is required in production');
    expect(redisConfigFromEnv({ NODE_ENV: 'production', REDIS_URL: 'redis://cache:6379' }).url).toBe('redis://cache:6379');
    expect(redisConfigFromEnv({ NODE_ENV: 'production', REDIS_SENTINELS: 's1:26379' })).toMatchObject({ url: 'redis://localhost:6379', sentinel: { hosts: [{ host: 's1', port: 26379 }] } });
    expect(() => redisConfigFromEnv({ REDIS_SENTINELS: 's1:26379,s2' })).toThrow("REDIS_SENTINELS: 's2' is not host:port");
    expect(() => redisConfigFromEnv({ REDIS_SENTINELS: 's1:99999' })).toThrow("REDIS_SENTINELS: 's1:99999' is not host:port");
  });
});

/** The port of the server the process-wide connection is talking to right now. */
async function serverPort(): Promise<number> {
  const [, port] = (await getRedis().call('CONFIG', 'GET', 'port')) as [string, string];
  return Number(port);
}
