/**
 * Runs the engine's CLI as a child process, the way other processes (services, benchmarks,
 * `npm run dev`) use it, so a test can kill it with SIGKILL or measure its memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLI_PATH = fileURLToPath(new URL('../../bin/embedded-mongo.js', import.meta.url));

export interface CliEngine {
  readonly uri: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code/signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whatever the engine wrote to stderr so far (for failure messages). */
  stderr(): string;
}

/** Starts the CLI and resolves when it prints `embedded-mongo ready <uri>`. */
export function startCli(args: string[], { timeoutMs = 30_000 } = {}): Promise<CliEngine> {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`embedded-mongo CLI did not print its ready line within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^embedded-mongo ready (\S+)/.exec(line.trim());
      if (!match) return;
      clearTimeout(timer);
      resolve({ uri: match[1]!, child, pid: child.pid!, exited, stderr: () => stderr });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`embedded-mongo CLI exited (code ${code}, signal ${signal}) before it was ready; stderr: ${stderr}`));
    });
  });
}
