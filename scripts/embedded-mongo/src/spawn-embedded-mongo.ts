import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export interface SpawnedEmbeddedMongo {
  uri: string;
  /** The engine's process id (benchmarks read its RSS from /proc). */
  pid: number;
  /** SIGTERM, then resolves once the process has exited (journal flushed). */
  stop(): Promise<void>;
}

/**
 * Starts the engine in a child process through its CLI and resolves once it prints its ready
 * line. Benchmarks use this so the engine does not share the client's event loop; tests that
 * need a process to kill do too.
 */
export async function spawnEmbeddedMongo(args: readonly string[] = ['--port', '0']): Promise<SpawnedEmbeddedMongo> {
  const bin = fileURLToPath(new URL('../bin/embedded-mongo.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const uri = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`embedded-mongo exited with ${code} before it was ready`)));
    lines.on('line', (line) => {
      const match = /embedded-mongo ready (\S+)/.exec(line);
      if (match) resolve(match[1]!);
    });
  });
  return {
    uri,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
