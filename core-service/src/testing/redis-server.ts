import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { getFreePort } from './free-port.js';

/** A private `redis-server` process started from the machine's binary. */
export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open, commands hang, like a stuck server. */
  pause(): void;
  /** Resumes a paused server (SIGCONT). */
  resume(): void;
  /** Starts the server again on the same port after `stop`/`kill`. */
  restart(): Promise<void>;
  isRunning(): boolean;
}

export interface StartRedisServerOptions {
  /** Port to listen on; a free one is picked when absent. */
  port?: number;
  /** Binary to run; defaults to `redis-server` on PATH. */
  binary?: string;
  /** Extra command-line options, e.g. `['--replicaof', '127.0.0.1', '6379']`. */
  args?: readonly string[];
}

const READY_TIMEOUT_MS = 10_000;

export class RedisServerMissingError extends Error {
  constructor(binary: string) {
    super(
      `'${binary}' was not found on PATH. The test harness runs a private Redis from the machine's ` +
        `binary: install the Debian package 'redis-server' (apt-get install -y redis-server) ` +
        `or set REDIS_URL to an existing Redis.`,
    );
    this.name = 'RedisServerMissingError';
  }
}

/** Fails at once, naming the Debian package, when the binary is not installed. */
export function assertRedisServerInstalled(binary = 'redis-server'): void {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) throw new RedisServerMissingError(binary);
}

/**
 * Starts `redis-server` with persistence off (`--save '' --appendonly no`): test data is
 * throw-away and RDB snapshots would only cost disk and fork time. Readiness is taken from the
 * server's own "Ready to accept connections" line rather than polling with a client.
 */
export async function startRedisServer(options: StartRedisServerOptions = {}): Promise<RedisServerHandle> {
  const binary = options.binary ?? 'redis-server';
  assertRedisServerInstalled(binary);

  let port = options.port ?? (await getFreePort());
  let child: ChildProcess | undefined;
  // A picked port can be taken between the probe and the bind; try a few fresh ones.
  for (let attempt = 0; ; attempt += 1) {
    try {
      child = await spawnReady(binary, port, options.args);
      break;
    } catch (error) {
      if (options.port !== undefined || attempt >= 4) throw error;
      port = await getFreePort();
    }
  }

  const stopChild = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    child = undefined;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const exited = once(current, 'exit');
    // A paused (SIGSTOP) server would never act on SIGTERM.
    current.kill('SIGCONT');
    current.kill(signal);
    const timer = setTimeout(() => current.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => stopChild('SIGTERM'),
    kill: () => stopChild('SIGKILL'),
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async restart() {
      await stopChild('SIGTERM');
      child = await spawnReady(binary, port, options.args);
    },
    isRunning: () => child !== undefined && child.exitCode === null && child.signalCode === null,
  };
}

function spawnReady(binary: string, port: number, extraArgs: readonly string[] = []): Promise<ChildProcess> {
  return spawnUntilReady(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'notice', ...extraArgs],
    'Ready to accept connections',
    `redis-server on port ${port}`,
  );
}

/** Spawns a Redis-family process and resolves once its output contains `readyText`. */
export function spawnUntilReady(binary: string, args: readonly string[], readyText: string, label: string): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${label} was not ready within ${READY_TIMEOUT_MS} ms:\n${output}`));
    }, READY_TIMEOUT_MS);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
    };
    function fail(error: Error): void {
      cleanup();
      reject(error);
    }
    function onData(chunk: Buffer): void {
      output += chunk.toString();
      if (output.includes(readyText)) {
        cleanup();
        // Keep draining the pipes so a chatty server never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    }
    function onExit(code: number | null): void {
      fail(new Error(`${label} exited with code ${code} before it was ready:\n${output}`));
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onExit);
    child.once('error', fail);
  });
}
