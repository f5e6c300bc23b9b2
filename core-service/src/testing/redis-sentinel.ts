import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort } from './free-port.js';
import { assertRedisServerInstalled, spawnUntilReady } from './redis-server.js';

export interface RedisSentinelHandle {
  readonly host: string;
  readonly port: number;
  readonly masterName: string;
  stop(): Promise<void>;
}

export interface StartRedisSentinelOptions {
  masterPort: number;
  masterName?: string;
  /** How long the master may be silent before the sentinel calls it down, ms (default 1 000). */
  downAfterMs?: number;
  binary?: string;
}

/**
 * A one-sentinel quorum watching `masterPort`, for failover tests. `redis-server --sentinel`
 * (the same binary) needs a writable config file, so it gets its own temporary directory.
 */
export async function startRedisSentinel(options: StartRedisSentinelOptions): Promise<RedisSentinelHandle> {
  const binary = options.binary ?? 'redis-server';
  assertRedisServerInstalled(binary);
  const masterName = options.masterName ?? 'mymaster';
  const port = await getFreePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-'));
  const configFile = join(dir, 'sentinel.conf');
  writeFileSync(
    configFile,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      'protected-mode no',
      `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${options.masterPort} 1`,
      `sentinel down-after-milliseconds ${masterName} ${options.downAfterMs ?? 1_000}`,
      `sentinel failover-timeout ${masterName} 10000`,
      `sentinel parallel-syncs ${masterName} 1`,
      '',
    ].join('\n'),
  );
  const child = await spawnUntilReady(binary, [configFile, '--sentinel'], '+monitor master', `redis sentinel on port ${port}`);
  return {
    host: '127.0.0.1',
    port,
    masterName,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
