import { type Document, Long } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import { LATEST } from '../storage/record.js';
import type { CommandContext, CommandHandler } from './command-context.js';
import { parseCollation } from '../language/index.js';
import { commandTable } from './command-table.js';
import type { ServerState } from './server-state.js';
import type { Session } from './sessions.js';
import { SNAPSHOT_READ_COMMANDS } from './snapshot-reads.js';
import { noSuchTransaction, resolveTransaction } from './transaction-state.js';
import { addFailPointWriteConcernError, type FailAction, failPointError } from './fail-points.js';

/** Writes a retry may repeat after a network error (retryable writes). */
const RETRYABLE_WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'bulkWrite']);
/** Commands MongoDB refuses inside a multi-document transaction. */
const NOT_IN_TRANSACTION = new Set(['count', 'listCollections', 'listIndexes', 'drop', 'dropDatabase', 'renameCollection', 'dropIndexes', 'listDatabases']);
/** Commands a production mongod does not have: they answer only when test commands are enabled. */
const TEST_COMMANDS = new Set(['configureFailPoint']);
/** What dispatchCommand answers when a fail point says to drop the connection instead of replying. */
export const CLOSE_CONNECTION = Symbol('close connection');
/** Thrown by a command that must end by dropping its connection (after recording its outcome). */
class ConnectionDropped extends Error {}

/** Names matched case-insensitively (the handshake and legacy spellings). */
const CASE_INSENSITIVE = new Map<string, string>([
  ['ismaster', 'isMaster'],
  ['findandmodify', 'findAndModify'],
  ['buildinfo', 'buildInfo'],
]);

/**
 * Runs one command: finds its handler, attaches its session and transaction, answers retries
 * of retryable writes from the recorded reply, and turns every failure into an error reply.
 * Never throws: a bug becomes an InternalError reply, not a dropped connection.
 */
export async function dispatchCommand(state: ServerState, connectionId: number, db: string, body: Document, sequences: Map<string, Document[]>): Promise<Document | typeof CLOSE_CONNECTION> {
  const name = Object.keys(body)[0] ?? '';
  let reply: Document;
  try {
    const handler = lookup(state, name);
    if (handler === undefined) throw new MongoCommandError(ErrorCode.CommandNotFound, `no such command: '${name}'`);
    const failure = state.failPoints.take(name, state.appNames.get(connectionId));
    if (failure !== null && (await closesConnection(failure))) return CLOSE_CONNECTION;
    // As in mongod, a fail point's error comes before the command touches its session: a
    // transaction is neither started nor aborted by it, so the driver may retry the statement.
    if (failure?.errorCode !== undefined) throw failPointError(failure, name, body);
    reply = await run(state, connectionId, db, name, body, sequences, handler);
    if (failure?.writeConcernError !== undefined && reply.ok === 1) addFailPointWriteConcernError(failure, name, body, reply);
    else if (state.replSetName !== '' && reply.ok === 1) addWriteConcernError(name, body, reply);
  } catch (error) {
    if (error instanceof ConnectionDropped) return CLOSE_CONNECTION;
    reply = errorReply(error);
  }
  if (state.replSetName !== '') {
    reply.operationTime = state.clock.tick();
    reply.$clusterTime = state.clock.gossip();
  }
  return reply;
}

/** Commands that take a write concern (and answer a `writeConcernError` it cannot satisfy). */
const WRITE_CONCERN_COMMANDS = new Set([
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'bulkWrite',
  'commitTransaction',
  'abortTransaction',
  'create',
  'drop',
  'dropDatabase',
  'createIndexes',
  'dropIndexes',
  'collMod',
  'renameCollection',
  'aggregate',
]);

/**
 * The set has one data-bearing member: a numeric `w` above 1 cannot be satisfied. As MongoDB,
 * the write is applied and the reply carries a `writeConcernError` (UnsatisfiableWriteConcern).
 */
function addWriteConcernError(name: string, body: Document, reply: Document): void {
  if (!WRITE_CONCERN_COMMANDS.has(name)) return;
  const writeConcern = body.writeConcern as Document | undefined;
  const w: unknown = writeConcern?.w;
  const members = typeof w === 'number' ? w : typeof (w as { valueOf?: () => unknown } | undefined)?.valueOf?.() === 'number' ? Number(w) : undefined;
  if (members === undefined || !(members > 1)) return;
  reply.writeConcernError = { code: 100, codeName: 'UnsatisfiableWriteConcern', errmsg: 'Not enough data-bearing nodes', errInfo: { writeConcern } };
}

/** blockConnection, then whether the fail point drops the connection instead of running the command. */
async function closesConnection(failure: FailAction): Promise<boolean> {
  if (failure.blockTimeMS > 0) await new Promise((resolve) => setTimeout(resolve, failure.blockTimeMS));
  return failure.closeConnection;
}

function lookup(state: ServerState, name: string): CommandHandler | undefined {
  if (TEST_COMMANDS.has(name) && !state.testCommandsEnabled) return undefined;
  return commandTable[name] ?? commandTable[CASE_INSENSITIVE.get(name.toLowerCase()) ?? ''];
}

async function run(state: ServerState, connectionId: number, db: string, name: string, body: Document, sequences: Map<string, Document[]>, handler: CommandHandler): Promise<Document> {
  const lsid = body.lsid as Document | undefined;
  const session = lsid !== undefined && lsid !== null ? state.sessions.acquire(lsid) : null;
  const ctx: CommandContext = { state, db, body, sequences, connectionId, session, txn: null, view: LATEST, startedAt: Date.now() };
  const collation = parseCollation(body.collation);
  if (collation !== undefined) ctx.collation = collation;
  if ((body.tailable === true || body.awaitData === true) && name !== 'find') {
    throw new MongoCommandError(ErrorCode.BadValue, `embedded-mongo supports tailable cursors only from find (on capped collections), not from ${name}`);
  }
  const txnNumber = body.txnNumber !== undefined ? toBigInt(body.txnNumber) : null;

  if (session !== null && txnNumber !== null && body.autocommit === false) {
    if (NOT_IN_TRANSACTION.has(name)) {
      throw new MongoCommandError(ErrorCode.OperationNotSupportedInTransaction, `Cannot run '${name}' in a multi-document transaction.`);
    }
    const txn = resolveTransaction(state, session, txnNumber, name, body.startTransaction === true);
    if (txn === 'already-committed') {
      // A retried commit: answer once the first commit's journal write is done too.
      await state.engine.whenDurable();
      return { ok: 1 };
    }
    ctx.txn = txn;
    ctx.view = txn;
    try {
      return await handler(ctx);
    } catch (error) {
      // As in MongoDB, a failed statement aborts its transaction; the driver then retries or reports.
      if (txn.state === 'active' && name !== 'commitTransaction') state.engine.abort(txn, `${name} failed`);
      throw error;
    }
  }

  const readConcern = body.readConcern as Document | undefined;
  if (readConcern?.level === 'snapshot') {
    if (!SNAPSHOT_READ_COMMANDS.has(name)) {
      throw new MongoCommandError(ErrorCode.InvalidOptions, `Command ${name} does not support { readConcern: { level: "snapshot" } } outside a multi-document transaction`);
    }
    const { view, atClusterTime } = state.snapshotReads.open(readConcern, state.clock.current());
    ctx.view = view;
    const reply = await handler(ctx);
    // The driver's snapshot session reads again at this time (a cursor's reply carries it in `cursor`).
    const cursor = reply.cursor as Document | undefined;
    if (cursor !== undefined) cursor.atClusterTime = atClusterTime;
    else reply.atClusterTime = atClusterTime;
    return reply;
  }
  if (session !== null && txnNumber !== null && RETRYABLE_WRITES.has(name)) return runRetryable(state, session, txnNumber, () => handler(ctx));
  if (name === 'commitTransaction' || name === 'abortTransaction') {
    throw noSuchTransaction(session, txnNumber ?? -1n);
  }
  return handler(ctx);
}

/** A retryable write is applied at most once per (lsid, txnNumber); a repeat gets the recorded reply. */
async function runRetryable(state: ServerState, session: Session, txnNumber: bigint, execute: () => Document | Promise<Document>): Promise<Document> {
  if (txnNumber < session.txnNumber) {
    throw new MongoCommandError(
      ErrorCode.TransactionTooOld,
      `Retryable write with txnNumber ${txnNumber} is prohibited on session because a newer retryable write with txnNumber ${session.txnNumber} has already started on this session.`,
    );
  }
  if (session.retryable !== null && session.retryable.txnNumber === txnNumber) {
    const recorded = await session.retryable.reply;
    return { ...recorded };
  }
  session.txnNumber = txnNumber;
  // A newer txnNumber ends whatever transaction the session still had open, as in MongoDB.
  if (session.txn !== null && session.txn.state === 'active') state.engine.abort(session.txn, 'a newer txnNumber was used on the session');
  const injected = state.failPoints.takeTransactionalWrite();
  if (injected?.failBeforeCommitExceptionCode !== undefined) {
    // The write is undone before it commits: nothing is recorded, a retry applies it.
    if (injected.closeConnection) throw new ConnectionDropped();
    throw new MongoCommandError(injected.failBeforeCommitExceptionCode, `Failing write for ${txnNumber} due to failpoint. The write must not be reflected.`);
  }
  const reply = Promise.resolve().then(execute);
  session.retryable = { txnNumber, reply };
  try {
    const answer = await reply;
    // The write stands (and is recorded) but its reply is lost with the connection.
    if (injected?.closeConnection === true) throw new ConnectionDropped();
    // A copy: what the dispatcher adds to this reply (a fail point's writeConcernError) is not recorded.
    return { ...answer };
  } catch (error) {
    if (error instanceof ConnectionDropped) throw error;
    // A failed attempt was not applied: let the retry run it again.
    if (session.retryable?.txnNumber === txnNumber) session.retryable = null;
    throw error;
  }
}

function toBigInt(value: unknown): bigint {
  if (value instanceof Long) return value.toBigInt();
  if (typeof value === 'bigint') return value;
  const n = Number((value as { valueOf(): unknown }).valueOf());
  return BigInt(Math.trunc(Number.isFinite(n) ? n : 0));
}

export function errorReply(error: unknown): Document {
  if (error instanceof MongoCommandError) return error.toReply();
  const message = error instanceof Error ? error.message : String(error);
  // A TypeError from a language function that is not implemented yet still names the problem.
  return { ok: 0, errmsg: message, code: ErrorCode.InternalError, codeName: 'InternalError' };
}
