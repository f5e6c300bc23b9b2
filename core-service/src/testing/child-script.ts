import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

export type TestChild = ChildProcess & { lines: string[]; exited: Promise<number | null> };

/**
 * Runs a TypeScript file in its own Node process (crash tests kill it with SIGKILL), sources
 * resolved like the tests' (`source` condition, tsx); its stdout lines are collected, and it is
 * killed after the test if still running. `name` labels its stderr when it fails.
 */
export function spawnTestChild(script: URL, name: string, env: Record<string, string>): TestChild {
  const file = fileURLToPath(script);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], {
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as TestChild;
  child.lines = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) if (line.trim() !== '') child.lines.push(line);
    child.emit('lines');
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      if (process.env['CHILD_DEBUG'] !== undefined || (code !== 0 && code !== null)) process.stderr.write(`[${name}] exited ${code}: ${stderr.slice(-2_000)}\n`);
      resolve(code);
    }),
  );
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Resolves once the child printed a line for which `predicate` holds. */
export function waitForLine(child: ChildProcess & { lines: string[] }, predicate: (lines: string[]) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (predicate(child.lines)) {
        child.off('lines', check);
        resolve();
      }
    };
    child.on('lines', check);
    child.once('exit', () => (predicate(child.lines) ? resolve() : reject(new Error(`child exited before the expected output; last lines: ${child.lines.slice(-5).join(' | ')}`))));
    check();
  });
}
