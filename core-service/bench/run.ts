/**
 * Runs every `bench/*.bench.ts` one after another, each in its own `tsx --conditions=source`
 * process: benchmarks never share a heap, a JIT profile or open connections, and one crashing
 * does not take the others down. Exits non-zero when any benchmark failed.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const only = process.argv.slice(2);

const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => only.length === 0 || only.some((filter) => name.includes(filter)))
  .sort();

let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [tsxCli, '--conditions=source', join(benchDir, file)], {
      stdio: 'inherit',
      env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent' },
    });
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal !== null ? 1 : 0)));
  });
  if (code !== 0) {
    failed += 1;
    process.stderr.write(`${file} failed with exit code ${code}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
