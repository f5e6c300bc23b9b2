/**
 * MongoDB's unified-format specification tests (CRUD, transactions, change streams, sessions,
 * index and collection management, retryable reads and writes, run-command; vendored from the Node
 * driver's repository under test/spec/), sent through the official driver to the engine. Every
 * runnable test is a Vitest test: an unlisted one must pass, one listed in expected-failures.ts
 * must still fail. Tests the engine's hello/buildInfo rule out are counted as not runnable.
 * After a full run the pass rate is written to test/spec/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/index.js';
import { CAUSES, EXPECTED_FAILURES, type Cause } from './expected-failures.js';
import { loadSuite, notRunnableReason, probeServer, UnifiedRunner } from './runner.js';

/** Suite name → its directory under test/spec/ (as laid out in the driver's repository). */
const SUITES: Record<string, string> = {
  crud: 'crud/unified',
  transactions: 'transactions/unified',
  'change-streams': 'change-streams/unified',
  sessions: 'sessions',
  'index-management': 'index-management',
  'collection-management': 'collection-management',
  'retryable-reads': 'retryable-reads/unified',
  'retryable-writes': 'retryable-writes/unified',
  'run-command': 'run-command',
};
const specDir = (suite: string) => fileURLToPath(new URL(`../spec/${SUITES[suite]}`, import.meta.url));
const resultsPath = fileURLToPath(new URL('../spec/results.json', import.meta.url));
const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));

const server = await startEmbeddedMongo();
const utility = new MongoClient(server.replicaSetUri);
await utility.connect();
const facts = await probeServer(utility);
const runner = new UnifiedRunner(utility, server.replicaSetUri);

interface SuiteTally {
  total: number;
  runnable: number;
  passed: number;
  expectedFailures: Partial<Record<Cause, number>>;
  notRunnable: Record<string, number>;
}
const tally: Record<string, SuiteTally> = {};
let executed = 0;
let runnableTotal = 0;
const listedSeen = new Set<string>();

for (const suite of Object.keys(SUITES)) {
  const t: SuiteTally = { total: 0, runnable: 0, passed: 0, expectedFailures: {}, notRunnable: {} };
  tally[suite] = t;
  describe(suite, () => {
    for (const { file, spec } of loadSuite(specDir(suite))) {
      const key = `${suite}/${file}`;
      const listed = EXPECTED_FAILURES[key] ?? {};
      const runnable = spec.tests.filter((test) => {
        t.total++;
        const reason = notRunnableReason(spec, test, facts);
        if (reason) t.notRunnable[reason] = (t.notRunnable[reason] ?? 0) + 1;
        return reason === null;
      });
      if (runnable.length === 0) continue;
      describe(file, () => {
        for (const test of runnable) {
          t.runnable++;
          runnableTotal++;
          const cause = listed[test.description];
          if (cause) listedSeen.add(`${key}\u0000${test.description}`);
          it(test.description, async () => {
            let failure: unknown;
            try {
              await runner.run(spec, test);
            } catch (error) {
              failure = error;
            }
            executed++;
            if (cause) {
              t.expectedFailures[cause] = (t.expectedFailures[cause] ?? 0) + 1;
              expect(failure, `listed as failing (${cause}) but passes now: remove it from expected-failures.ts`).toBeDefined();
            } else {
              if (failure) throw failure;
              t.passed++;
            }
          });
        }
      });
    }
  });
}

it('the expected-failures list names only runnable tests', () => {
  const stale = Object.entries(EXPECTED_FAILURES).flatMap(([key, tests]) =>
    Object.keys(tests)
      .filter((description) => !listedSeen.has(`${key}\u0000${description}`))
      .map((description) => `${key}: ${description}`),
  );
  expect(stale).toEqual([]);
});

it('the README states these pass rates and names every remaining cause in "Differences from MongoDB"', () => {
  const readme = readFileSync(readmePath, 'utf8');
  for (const [suite, t] of Object.entries(tally)) {
    // Every unlisted runnable test must pass, so the pass count is known before the run.
    const listed = Object.entries(EXPECTED_FAILURES)
      .filter(([key]) => key.startsWith(`${suite}/`))
      .reduce((n, [, tests]) => n + Object.keys(tests).length, 0);
    expect(readme).toContain(`| ${suite} | ${t.runnable - listed} / ${t.runnable} |`);
  }
  const section = readme.slice(readme.indexOf('## Differences from MongoDB'));
  const inTable = new Set([...section.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]));
  const used = new Set(Object.values(EXPECTED_FAILURES).flatMap((tests) => Object.values(tests)));
  expect([...inTable].sort()).toEqual([...used].sort());
  expect(Object.keys(CAUSES).sort(), 'a cause no listed test has any more: remove it').toEqual([...used].sort());
});

afterAll(async () => {
  await utility.close();
  await server.stop();
  if (executed !== runnableTotal) return; // a filtered run: keep the recorded numbers
  const round = (x: number) => Math.round(x * 1000) / 10;
  const results = {
    source: 'test/spec/README.md',
    server: { version: facts.version.join('.'), topology: facts.topology, failCommand: facts.failCommand },
    suites: Object.fromEntries(
      Object.entries(tally).map(([suite, t]) => [
        suite,
        {
          tests: t.total,
          runnable: t.runnable,
          passed: t.passed,
          passRate: `${round(t.passed / t.runnable)}%`,
          expectedFailures: Object.fromEntries(Object.entries(t.expectedFailures).sort()),
          notRunnable: Object.fromEntries(Object.entries(t.notRunnable).sort(([, a], [, b]) => b - a)),
        },
      ]),
    ),
  };
  const text = `${JSON.stringify(results, null, 2)}\n`;
  if (!existsSync(resultsPath) || readFileSync(resultsPath, 'utf8') !== text) writeFileSync(resultsPath, text);
});
