import { type Document, Long, ObjectId } from 'bson';
import type { CommandContext } from '../command-context.js';
import { SESSION_TIMEOUT_MINUTES } from '../sessions.js';
import { MAX_MESSAGE_SIZE } from '../wire-protocol.js';
import { MAX_BSON_OBJECT_SIZE } from '../../storage/document-codec.js';

/** The set's one election: a constant id keeps the driver from seeing a new primary on every heartbeat. */
const ELECTION_ID = new ObjectId('7fffffff0000000000000001');

/**
 * hello / isMaster. No `topologyVersion`: with it the driver switches to streaming (awaitable)
 * heartbeats, which this server does not implement, and the topology flaps.
 */
export function hello(ctx: CommandContext): Document {
  const { state } = ctx;
  const now = new Date();
  const appName: unknown = (ctx.body.client as Document | undefined)?.application?.name;
  if (typeof appName === 'string') state.appNames.set(ctx.connectionId, appName);
  const reply: Document = {
    isWritablePrimary: true,
    ismaster: true,
    helloOk: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: now,
    logicalSessionTimeoutMinutes: SESSION_TIMEOUT_MINUTES,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    // 25 is MongoDB 8.0 (buildInfo says 8.0.0): the driver then sends 8.0's bulkWrite command and update `sort`.
    maxWireVersion: 25,
    readOnly: false,
  };
  if (state.replSetName !== '') {
    const opTime = { ts: state.clock.current(), t: Long.fromInt(1) };
    Object.assign(reply, {
      setName: state.replSetName,
      setVersion: 1,
      hosts: [state.hostAndPort],
      primary: state.hostAndPort,
      me: state.hostAndPort,
      secondary: false,
      electionId: ELECTION_ID,
      lastWrite: { opTime, lastWriteDate: now, majorityOpTime: opTime, majorityWriteDate: now },
    });
  }
  reply.ok = 1;
  return reply;
}
