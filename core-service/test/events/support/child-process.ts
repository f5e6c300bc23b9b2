import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const CORE_SERVICE_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export interface ChildHandle {
  child: ChildProcess;
  /** Resolves with the first IPC message satisfying `predicate` (rejects if the child exits first). */
  waitForMessage<T = Record<string, unknown>>(predicate: (message: T) => boolean, timeoutMs?: number): Promise<T>;
  /** SIGKILL, as a crash or an OOM kill would: no cleanup runs in the child. */
  kill(): Promise<void>;
}

/** Runs a TypeScript script from `test/` in its own Node process (tsx), with an IPC channel. */
export function startChildScript(scriptUrl: URL, env: Record<string, string>): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fileURLToPath(scriptUrl)], {
    cwd: CORE_SERVICE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: unknown[] = [];
  const listeners = new Set<() => void>();
  child.on('message', (message) => {
    messages.push(message);
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
    waitForMessage<T>(predicate: (message: T) => boolean, timeoutMs = 20_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`child sent no matching message within ${timeoutMs} ms`)), timeoutMs);
        const check = (): void => {
          const found = messages.find((message) => predicate(message as T));
          if (found !== undefined) finish(undefined, found as T);
          else if (child.exitCode !== null || child.signalCode !== null) {
            finish(new Error(`child exited (code ${child.exitCode}, signal ${child.signalCode}) before sending the message`));
          }
        };
        const finish = (error?: Error, value?: T): void => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(value as T);
        };
        listeners.add(check);
        check();
      });
    },
  };
}
