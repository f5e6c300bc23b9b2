/**
 * `embedded-mongo [--port N] [--dbpath DIR] [--replSet NAME] [--fsync] [--enable-test-commands]
 *   [--setParameter transactionLifetimeLimitSeconds=N] [--setParameter enableTestCommands=1]`: prints exactly one line,
 * `embedded-mongo ready <uri>`, once connections are accepted; SIGINT/SIGTERM stop it cleanly
 * (journal flushed and compacted, sockets closed, exit code 0).
 */
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './server/embedded-mongo.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    dbpath: { type: 'string' },
    replSet: { type: 'string' },
    fsync: { type: 'boolean' },
    // configureFailPoint (failCommand), as mongod's --setParameter enableTestCommands=1; off by default.
    'enable-test-commands': { type: 'boolean' },
    // mongod's spelling, so the same start line works for both; only this parameter is known.
    setParameter: { type: 'string', multiple: true },
  },
  strict: true,
});

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`embedded-mongo: invalid --port ${values.port}\n`);
  process.exit(2);
}

let transactionLifetimeSeconds: number | undefined;
let enableTestCommands = values['enable-test-commands'] === true;
for (const parameter of values.setParameter ?? []) {
  const [name, raw] = parameter.split('=');
  if (name === 'enableTestCommands' && (raw === '1' || raw === 'true')) {
    enableTestCommands = true;
    continue;
  }
  const value = Number(raw);
  if (name !== 'transactionLifetimeLimitSeconds' || !Number.isInteger(value) || value < 1) {
    process.stderr.write(`embedded-mongo: unsupported --setParameter ${parameter} (known: transactionLifetimeLimitSeconds=<seconds ≥ 1>, enableTestCommands=1)\n`);
    process.exit(2);
  }
  transactionLifetimeSeconds = value;
}

const server = await startEmbeddedMongo({
  port,
  ...(values.dbpath !== undefined ? { dbPath: values.dbpath } : {}),
  ...(values.replSet !== undefined ? { replSetName: values.replSet } : {}),
  fsync: values.fsync === true,
  enableTestCommands,
  ...(transactionLifetimeSeconds !== undefined ? { transactionLifetimeSeconds } : {}),
});
process.stdout.write(`embedded-mongo ready ${server.uri}\n`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  server.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`embedded-mongo: failed to stop cleanly: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
