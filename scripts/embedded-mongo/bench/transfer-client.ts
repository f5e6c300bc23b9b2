/**
 * One client process of the multi-process transfer benchmark: connects, prints `ready`, waits
 * for `go` on stdin, then runs `sessions` concurrent sessions doing transfer-shaped transactions
 * for `seconds` and prints one JSON line: commits, attempts and its own CPU time.
 *
 * Usage: node --import tsx transfer-client.ts <uri> <db> <sessions> <seconds> <accounts>
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { runTransferSessions } from './transfer-workload.js';

const [uri, dbName, sessionsArg, secondsArg, accountsArg] = process.argv.slice(2);
if (!uri || !dbName || !sessionsArg || !secondsArg || !accountsArg) {
  throw new Error('usage: transfer-client <uri> <db> <sessions> <seconds> <accounts>');
}
const sessions = Number(sessionsArg);
const accountCount = Number(accountsArg);
const client = await new MongoClient(uri, { maxPoolSize: sessions * 2 }).connect();
const db = client.db(dbName);
await db.command({ ping: 1 });

process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  const input = createInterface({ input: process.stdin });
  input.once('line', () => {
    // Stop reading stdin, or the open pipe keeps this process alive after the run.
    input.close();
    process.stdin.destroy();
    resolve();
  });
});

let committed = 0;
let attempts = 0;
const cpuBefore = process.cpuUsage();
await runTransferSessions({
  client,
  db,
  sessions,
  accountCount,
  deadline: performance.now() + Number(secondsArg) * 1000,
  onAttempt: () => (attempts += 1),
  onCommit: () => (committed += 1),
});
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ committed, attempts, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
await client.close();
