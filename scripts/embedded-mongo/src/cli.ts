/**
 * `embedded-mongo [--port N] [--dbpath DIR] [--replSet NAME] [--fsync]`: prints exactly one line,
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
  },
  strict: true,
});

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`embedded-mongo: invalid --port ${values.port}\n`);
  process.exit(2);
}

const server = await startEmbeddedMongo({
  port,
  ...(values.dbpath !== undefined ? { dbPath: values.dbpath } : {}),
  ...(values.replSet !== undefined ? { replSetName: values.replSet } : {}),
  fsync: values.fsync === true,
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
