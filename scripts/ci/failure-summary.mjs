#!/usr/bin/env node
// After a failed `npm test`, reprints what each failed turbo task said about its failure, so the
// end of a CI log (often all that is kept of it) names the failing tests and their errors.
// Turbo streams every task's lines interleaved, prefixed `<package>:<task>: `; a task's failure
// report can scroll far out of the tail behind the tasks that ran longer.
//
// usage: node scripts/ci/failure-summary.mjs <log file>
import { existsSync, readFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';

const MAX_LINES_PER_TASK = 60;
const MAX_PLATFORM_LINES = 25;
// What a package's end-to-end platform logged (gateway/test/support/global-platform.ts writes it).
const PLATFORM_LOG = '.e2e-platform.log';
// pino's warn, error and fatal; the processes' own lines (redis-server, the engine) that say error.
const WORTH_SHOWING = /"level":(40|50|60)\b|error|fatal/i;
// Vitest's own summary of failures starts with this rule; a typecheck or a crash has none.
const VITEST_FAILURES = /⎯+ Failed (Tests|Suites) \d+ ⎯+|⎯+ Unhandled Errors ⎯+/;

const logPath = process.argv[2];
if (!logPath) {
  console.error('usage: failure-summary.mjs <log file>');
  process.exit(2);
}
const lines = stripVTControlCharacters(readFileSync(logPath, 'utf8')).split('\n');

const failed = lines
  .filter((line) => /^\s*Failed:\s/.test(line))
  .flatMap((line) => line.replace(/^\s*Failed:\s*/, '').split(','))
  .map((task) => task.trim())
  .filter(Boolean);

for (const task of new Set(failed)) {
  const [pkg, script] = task.split('#');
  const prefix = `${pkg}:${script}: `;
  const own = lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
  const start = own.findIndex((line) => VITEST_FAILURES.test(line));
  const report = start >= 0 ? own.slice(start) : own.slice(-MAX_LINES_PER_TASK);
  console.log(`\n===== ${task} failed: ${start >= 0 ? 'its failure report' : 'its last lines'} =====`);
  console.log(report.slice(0, MAX_LINES_PER_TASK).join('\n'));
  if (report.length > MAX_LINES_PER_TASK) console.log(`… ${report.length - MAX_LINES_PER_TASK} more lines in the full log`);
  const platformLog = `${pkg}/${PLATFORM_LOG}`;
  if (existsSync(platformLog)) {
    const worth = readFileSync(platformLog, 'utf8')
      .split('\n')
      .filter((line) => WORTH_SHOWING.test(line));
    console.log(`----- the last ${Math.min(MAX_PLATFORM_LINES, worth.length)} warnings and errors of its platform (${platformLog}) -----`);
    for (const line of worth.slice(-MAX_PLATFORM_LINES)) console.log(line.length > 400 ? `${line.slice(0, 400)}…` : line);
  }
}
