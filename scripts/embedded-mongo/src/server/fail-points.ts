import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import { numberOf } from '../storage/numeric-value.js';

/**
 * MongoDB's `failCommand` fail point, as a server started with `--setParameter
 * enableTestCommands=1` offers it: `configureFailPoint` arms it and the next matching commands
 * fail (an error reply, a closed connection, a delay, or a writeConcernError after the command
 * ran). Tests use it to inject the faults drivers and transactions must survive.
 */

/** What an armed fail point does to one command. */
export interface FailAction {
  /** Wait this long before anything else (blockConnection). */
  blockTimeMS: number;
  /** Close the connection instead of answering; the command does not run. */
  closeConnection: boolean;
  /** Fail with this code instead of running the command. */
  errorCode?: number;
  /** Labels for the error or writeConcernError; absent: the labels the server would add itself. */
  errorLabels?: string[];
  /** Run the command, then answer with this writeConcernError. */
  writeConcernError?: Document;
}

/** `onPrimaryTransactionalWrite`: what happens to a retryable write when it fires. */
export interface TransactionalWriteFailure {
  /** Drop the connection (the default): the driver sees a network error and retries. */
  closeConnection: boolean;
  /** Undo the write and fail with this code; absent: the write stands. */
  failBeforeCommitExceptionCode?: number;
}

type Mode = { kind: 'off' } | { kind: 'alwaysOn' } | { kind: 'times'; left: number } | { kind: 'skip'; skip: number };

interface FailCommandData {
  failCommands: Set<string>;
  appName?: string;
  action: FailAction;
}

/** Errors MongoDB calls retryable (ErrorCodes::isRetriableError): a retryable write or a commit may be retried on them. */
const RETRYABLE_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 134]);
/** NotPrimaryError and ShutdownError codes: a statement of a transaction failing with one leaves the transaction retryable as a whole. */
const NOT_PRIMARY_OR_SHUTDOWN_CODES = new Set([91, 189, 10107, 11600, 11602, 13435, 13436]);
/** Codes that make any statement of a transaction, commit included, a TransientTransactionError. */
const ALWAYS_TRANSIENT_CODES = new Set([ErrorCode.WriteConflict, 24 /* LockTimeout */, 267 /* PreparedTransactionInProgress */]);
/** Commands the driver may retry as retryable writes when they carry a txnNumber outside a transaction. */
const RETRYABLE_WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'bulkWrite']);

/** The names of the codes a fail point is usually armed with (the rest answer as Location<code>). */
const CODE_NAMES: Record<number, string> = {
  6: 'HostUnreachable',
  7: 'HostNotFound',
  24: 'LockTimeout',
  64: 'WriteConcernFailed',
  89: 'NetworkTimeout',
  91: 'ShutdownInProgress',
  134: 'ReadConcernMajorityNotAvailableYet',
  189: 'PrimarySteppedDown',
  262: 'ExceededTimeLimit',
  267: 'PreparedTransactionInProgress',
  8: 'UnknownError',
  11601: 'Interrupted',
  50: 'MaxTimeMSExpired',
  112: 'WriteConflict',
  251: 'NoSuchTransaction',
  9001: 'SocketException',
  10107: 'NotWritablePrimary',
  11600: 'InterruptedAtShutdown',
  11602: 'InterruptedDueToReplStateChange',
  13435: 'NotPrimaryNoSecondaryOk',
  13436: 'NotPrimaryOrSecondary',
  43: 'CursorNotFound',
  63: 'StaleShardVersion',
  133: 'FailedToSatisfyReadPreference',
  150: 'StaleEpoch',
  216: 'ElectionInProgress',
  234: 'RetryChangeStream',
  13388: 'StaleConfig',
};

/**
 * Errors of a change stream's getMore that mongod labels ResumableChangeStreamError (the driver
 * resumes on them): network, retriable, not-primary, shutdown and stale-routing errors.
 */
const RESUMABLE_CHANGE_STREAM_CODES = new Set([6, 7, 89, 91, 133, 150, 189, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436]);

export class FailPoints {
  private mode: Mode = { kind: 'off' };
  private data: FailCommandData | null = null;
  /** Commands the current configuration has failed (configureFailPoint answers it as `count`). */
  private timesEntered = 0;
  /** `failGetMoreAfterCursorCheckout`: a getMore fails once it holds its cursor (`data.errorCode`). */
  private getMoreMode: Mode = { kind: 'off' };
  private getMoreError: { errorCode: number; errorLabels?: string[] } | null = null;
  /** `onPrimaryTransactionalWrite`: a retryable write (txnNumber, no transaction) fails as it completes. */
  private transactionalWriteMode: Mode = { kind: 'off' };
  private transactionalWriteFailure: TransactionalWriteFailure | null = null;

  /** `configureFailPoint` (the server has checked test commands are enabled and the database is admin). */
  configure(body: Document): Document {
    const name: unknown = body.configureFailPoint;
    if (name === 'failGetMoreAfterCursorCheckout') return this.configureGetMore(body);
    if (name === 'onPrimaryTransactionalWrite') return this.configureTransactionalWrite(body);
    if (name !== 'failCommand') {
      throw new MongoCommandError(266, `${String(name)} not found (embedded-mongo offers the failCommand, failGetMoreAfterCursorCheckout and onPrimaryTransactionalWrite fail points)`, {
        codeName: 'FailPointSetFailed',
      });
    }
    const mode = parseMode(body.mode);
    const data = mode.kind === 'off' ? null : parseData(body.data);
    const count = this.timesEntered;
    this.mode = mode;
    this.data = data;
    this.timesEntered = 0;
    return { count, ok: 1 };
  }

  private configureGetMore(body: Document): Document {
    const mode = parseMode(body.mode);
    let error: { errorCode: number; errorLabels?: string[] } | null = null;
    if (mode.kind !== 'off') {
      const data = (body.data ?? {}) as Document;
      for (const key of Object.keys(data)) {
        if (key !== 'errorCode' && key !== 'errorLabels' && !(key === 'closeConnection' && data[key] === false)) {
          throw new MongoCommandError(ErrorCode.BadValue, `embedded-mongo's failGetMoreAfterCursorCheckout does not support '${key}'`);
        }
      }
      error = { errorCode: data.errorCode === undefined ? ErrorCode.InternalError : numberOf(data.errorCode) };
      if (Array.isArray(data.errorLabels)) error.errorLabels = (data.errorLabels as unknown[]).map(String);
    }
    this.getMoreMode = mode;
    this.getMoreError = error;
    return { count: 0, ok: 1 };
  }

  private configureTransactionalWrite(body: Document): Document {
    const mode = parseMode(body.mode);
    let failure: TransactionalWriteFailure | null = null;
    if (mode.kind !== 'off') {
      const data = (body.data ?? {}) as Document;
      for (const key of Object.keys(data)) {
        if (key !== 'closeConnection' && key !== 'failBeforeCommitExceptionCode') {
          throw new MongoCommandError(ErrorCode.BadValue, `embedded-mongo's onPrimaryTransactionalWrite does not support '${key}'`);
        }
      }
      failure = { closeConnection: data.closeConnection !== false };
      if (data.failBeforeCommitExceptionCode !== undefined) failure.failBeforeCommitExceptionCode = numberOf(data.failBeforeCommitExceptionCode);
    }
    this.transactionalWriteMode = mode;
    this.transactionalWriteFailure = failure;
    return { count: 0, ok: 1 };
  }

  /**
   * What onPrimaryTransactionalWrite does to a retryable write about to be applied (a retry of
   * one already applied is answered from its record and never gets here), or null. mongod
   * fires it per statement as the statement's write unit of work commits; here it fires once
   * per command, before the command, which decides the same outcomes: with
   * `failBeforeCommitExceptionCode` nothing of the command is applied, without it all of it is.
   */
  takeTransactionalWrite(): TransactionalWriteFailure | null {
    const failure = this.transactionalWriteFailure;
    if (failure === null) return null;
    const { fires, next } = activate(this.transactionalWriteMode);
    this.transactionalWriteMode = next;
    return fires ? failure : null;
  }

  /**
   * The error failGetMoreAfterCursorCheckout answers a getMore with, once it has its cursor, or
   * null. A change stream's getMore gets ResumableChangeStreamError when mongod would add it.
   */
  takeGetMore(changeStream: boolean): MongoCommandError | null {
    const error = this.getMoreError;
    if (error === null) return null;
    const { fires, next } = activate(this.getMoreMode);
    this.getMoreMode = next;
    if (!fires) return null;
    const labels = error.errorLabels ?? (changeStream && RESUMABLE_CHANGE_STREAM_CODES.has(error.errorCode) ? ['ResumableChangeStreamError'] : []);
    return new MongoCommandError(error.errorCode, "Failing getMore via 'failGetMoreAfterCursorCheckout' failpoint", {
      errorLabels: labels,
      ...(CODE_NAMES[error.errorCode] !== undefined ? { codeName: CODE_NAMES[error.errorCode] } : {}),
    });
  }

  /**
   * What the fail point does to command `name` from a client called `appName`, or null. An
   * activation counts against `times` / `skip`.
   */
  take(name: string, appName: string | undefined): FailAction | null {
    const data = this.data;
    if (data === null || this.mode.kind === 'off') return null;
    if (!data.failCommands.has(name)) return null;
    if (data.appName !== undefined && data.appName !== appName) return null;
    const { fires, next } = activate(this.mode);
    this.mode = next;
    if (!fires) return null;
    this.timesEntered++;
    return data.action;
  }
}

/** Counts one activation against `times` / `skip`: whether the fail point fires, and its mode after. */
function activate(mode: Mode): { fires: boolean; next: Mode } {
  if (mode.kind === 'off') return { fires: false, next: mode };
  if (mode.kind === 'skip' && mode.skip > 0) return { fires: false, next: { kind: 'skip', skip: mode.skip - 1 } };
  if (mode.kind === 'times') return { fires: true, next: mode.left <= 1 ? { kind: 'off' } : { kind: 'times', left: mode.left - 1 } };
  return { fires: true, next: mode };
}

function parseMode(mode: unknown): Mode {
  if (mode === 'off') return { kind: 'off' };
  if (mode === 'alwaysOn') return { kind: 'alwaysOn' };
  if (typeof mode === 'object' && mode !== null && !Array.isArray(mode)) {
    const [key, value] = Object.entries(mode as Document)[0] ?? [];
    const n = numberOf(value);
    if (key === 'times' && Number.isInteger(n) && n >= 0) return n === 0 ? { kind: 'off' } : { kind: 'times', left: n };
    if (key === 'skip' && Number.isInteger(n) && n >= 0) return { kind: 'skip', skip: n };
    if (key === 'activationProbability') throw new MongoCommandError(ErrorCode.BadValue, 'embedded-mongo does not implement the activationProbability fail point mode');
  }
  throw new MongoCommandError(ErrorCode.BadValue, `'mode' must be one of 'off', 'alwaysOn', {times: n} or {skip: n}, got ${JSON.stringify(mode)}`);
}

function parseData(data: unknown): FailCommandData {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new MongoCommandError(ErrorCode.BadValue, "failCommand fail point requires a 'data' document");
  const spec = data as Document;
  const names: unknown = spec.failCommands;
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
    throw new MongoCommandError(ErrorCode.BadValue, "'failCommands' must be a non-empty array of command names");
  }
  const action: FailAction = {
    blockTimeMS: spec.blockConnection === true ? Math.max(0, numberOf(spec.blockTimeMS ?? 0)) : 0,
    closeConnection: spec.closeConnection === true,
  };
  if (spec.errorCode !== undefined) action.errorCode = numberOf(spec.errorCode);
  if (Array.isArray(spec.errorLabels)) action.errorLabels = (spec.errorLabels as unknown[]).map(String);
  if (typeof spec.writeConcernError === 'object' && spec.writeConcernError !== null) action.writeConcernError = spec.writeConcernError as Document;
  const parsed: FailCommandData = { failCommands: new Set(names as string[]), action };
  if (typeof spec.appName === 'string') parsed.appName = spec.appName;
  return parsed;
}

/** The error a fail point answers `name` with, labelled as mongod would label it. */
export function failPointError(action: FailAction, name: string, body: Document): MongoCommandError {
  const code = action.errorCode!;
  const errorLabels = action.errorLabels ?? serverErrorLabels(code, name, body, false);
  return new MongoCommandError(code, "Failing command via 'failCommand' failpoint", {
    errorLabels,
    ...(CODE_NAMES[code] !== undefined ? { codeName: CODE_NAMES[code] } : {}),
  });
}

/** Adds the fail point's writeConcernError (and its labels) to the reply of a command that ran. */
export function addFailPointWriteConcernError(action: FailAction, name: string, body: Document, reply: Document): void {
  const writeConcernError = action.writeConcernError!;
  reply.writeConcernError = writeConcernError;
  const code = numberOf(writeConcernError.code);
  const labels = action.errorLabels ?? serverErrorLabels(code, name, body, true);
  if (labels.length > 0) reply.errorLabels = labels;
}

/**
 * The labels mongod adds to an error itself (getErrorLabels): TransientTransactionError for a
 * transaction's statement the whole transaction may be retried after, RetryableWriteError for a
 * retryable write or a commit/abort the driver may send again.
 */
function serverErrorLabels(code: number, name: string, body: Document, isWriteConcernError: boolean): string[] {
  const labels: string[] = [];
  const inTransaction = body.autocommit === false;
  const commitOrAbort = name === 'commitTransaction' || name === 'abortTransaction';
  if (inTransaction && !isWriteConcernError) {
    const transient =
      ALWAYS_TRANSIENT_CODES.has(code as never) || (commitOrAbort ? code === ErrorCode.NoSuchTransaction : NOT_PRIMARY_OR_SHUTDOWN_CODES.has(code) || code === ErrorCode.NoSuchTransaction);
    if (transient) labels.push('TransientTransactionError');
  }
  const retryableWrite = body.txnNumber !== undefined && !inTransaction && RETRYABLE_WRITE_COMMANDS.has(name);
  if ((retryableWrite || commitOrAbort) && RETRYABLE_CODES.has(code)) labels.push('RetryableWriteError');
  return labels;
}
