import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { closeRedis, connectRedis, getRedis, getRedisConnectionStats } from '../../src/redis/index.js';
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

    await connectRedis({
      url: master.url,
      sentinel: { hosts: [{ host: sentinel.host, port: sentinel.port }], name: sentinel.masterName },
      reconnectDelay: 50,
      maxReconnectDelay: 500,
      // WAIT below blocks server-side for as long as the replica takes to acknowledge; on a
      // loaded machine that exceeds the 2 s default that fails calls to a frozen server.
      commandTimeout: 10_000,
    });
    expect(getRedisConnectionStats()).toMatchObject({ connected: true, mode: 'sentinel' });
    expect(await serverPort()).toBe(master.port);
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

/** The port of the server the process-wide connection is talking to right now. */
async function serverPort(): Promise<number> {
  const [, port] = (await getRedis().call('CONFIG', 'GET', 'port')) as [string, string];
  return Number(port);
}
