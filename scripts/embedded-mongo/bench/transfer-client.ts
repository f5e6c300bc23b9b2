/**
 * One client process of the multi-process transfer benchmark. It connects, prints `ready`, then
 * serves rounds for as long as its stdin stays open: each `go <seconds>` line runs `sessions`
 * concurrent sessions doing transfer-shaped transactions for that long and prints one JSON line
 * (commits, attempts and its own CPU time). The parent keeps the process for every round and sends
 * an unrecorded warm-up round first, as the single-process measurement runs in a process that is
 * already warm: a fresh process pays for V8 compiling the driver's code and for opening its pool's
 * connections inside the measured seconds (measured: about three times the client CPU per
 * transaction in the first seconds of a cold process).
 *
 * Usage: node --import tsx transfer-client.ts <uri> <db> <sessions> <accounts>
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import { runTransferSessions } from './transfer-workload.js';

const [uri, dbName, sessionsArg, accountsArg] = process.argv.slice(2);
if (!uri || !dbName || !sessionsArg || !accountsArg) {
  throw new Error('usage: transfer-client <uri> <db> <sessions> <accounts>');
}
const sessions = Number(sessionsArg);
const accountCount = Number(accountsArg);
const client = await new MongoClient(uri, { maxPoolSize: sessions * 2 }).connect();
const db = client.db(dbName);
await db.command({ ping: 1 });

process.stdout.write('ready\n');
const input = createInterface({ input: process.stdin });
for await (const line of input) {
  const match = /^go (\d+(?:\.\d+)?)$/.exec(line.trim());
  if (!match) throw new Error(`transfer client: unexpected command ${line}`);
  let committed = 0;
  let attempts = 0;
  const cpuBefore = process.cpuUsage();
  await runTransferSessions({
    client,
    db,
    sessions,
    accountCount,
    deadline: performance.now() + Number(match[1]) * 1000,
    onAttempt: () => (attempts += 1),
    onCommit: () => (committed += 1),
  });
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(`${JSON.stringify({ committed, attempts, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
}
// stdin closed: the parent is done with this client.
await client.close();
