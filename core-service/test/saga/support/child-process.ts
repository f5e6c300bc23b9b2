import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const CORE_SERVICE_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export interface Signal {
  signal: string;
  [field: string]: unknown;
}

export interface ChildHandle {
  child: ChildProcess;
  /** Resolves with the first signal line (`{"signal": ...}` on stdout) that satisfies `predicate`. */
  waitForSignal(predicate: (signal: Signal) => boolean, timeoutMs?: number): Promise<Signal>;
  /** SIGKILL, as a crash or an OOM kill would: nothing runs in the child afterwards. */
  kill(): Promise<void>;
}

/**
 * Runs a TypeScript script from `test/` in its own Node process (tsx). The child reports
 * progress as JSON lines on stdout; anything else it prints is ignored.
 */
export function startChild(scriptUrl: URL, env: Record<string, string>): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fileURLToPath(scriptUrl)], {
    cwd: CORE_SERVICE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const signals: Signal[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const parsed = JSON.parse(line) as Partial<Signal>;
      if (typeof parsed.signal === 'string') signals.push(parsed as Signal);
    } catch {
      return;
    }
    for (const listener of listeners) listener();
  });
  child.on('exit', () => {
    for (const listener of listeners) listener();
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  onTestFinished(kill);
  return {
    child,
    kill,
    waitForSignal(predicate, timeoutMs = 30_000) {
      return new Promise<Signal>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`child sent no matching signal within ${timeoutMs} ms`)), timeoutMs);
        const check = (): void => {
          const found = signals.find(predicate);
          if (found !== undefined) finish(undefined, found);
          else if (child.exitCode !== null || child.signalCode !== null) {
            finish(new Error(`child exited (code ${child.exitCode}, signal ${child.signalCode}) before the signal`));
          }
        };
        const finish = (error?: Error, value?: Signal): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(value!);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
