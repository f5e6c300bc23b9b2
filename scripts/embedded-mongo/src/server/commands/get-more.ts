import { type Document, Long } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { nonNegativeInteger } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';
import { ServerCursor } from '../cursors.js';
import { TailableCursor } from '../tailable-cursor.js';
import { ChangeStreamCursor, changeStreamGetMore } from './change-stream.js';

const DEFAULT_GET_MORE_BATCH = 5_000;

export function getMore(ctx: CommandContext): Document | Promise<Document> {
  const rawId = ctx.body.getMore;
  if (!(rawId instanceof Long)) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field 'getMore.getMore' is the wrong type '${typeof rawId}', expected type 'long'`);
  }
  const id = rawId.toBigInt();
  const collection = ctx.body.collection;
  const cursor = ctx.state.cursors.get(id);
  if (cursor === undefined) throw new MongoCommandError(ErrorCode.CursorNotFound, `cursor id ${id} not found`);
  if (typeof collection === 'string' && `${ctx.db}.${collection}` !== cursor.ns) {
    throw new MongoCommandError(ErrorCode.Unauthorized, `Requested getMore on namespace '${ctx.db}.${collection}', but cursor belongs to a different namespace ${cursor.ns}`);
  }
  if (cursor.txn !== null && cursor.txn !== ctx.txn) {
    throw new MongoCommandError(ErrorCode.NoSuchTransaction, 'Cannot run getMore on a cursor in a different transaction', {
      errorLabels: ['TransientTransactionError'],
    });
  }
  const injected = ctx.state.failPoints.takeGetMore(cursor instanceof ChangeStreamCursor);
  if (injected !== null) {
    ctx.state.cursors.kill(id);
    throw injected;
  }
  if (cursor instanceof ChangeStreamCursor) return changeStreamGetMore(ctx, cursor);
  if (cursor instanceof TailableCursor) return tailableGetMore(ctx, cursor);
  if (!(cursor instanceof ServerCursor)) throw new MongoCommandError(ErrorCode.InternalError, `cursor id ${id} has no reader`);
  // Without a batchSize MongoDB fills 16 MB; a cap in documents keeps one getMore from holding
  // the event loop (and every other client) for long. Drivers just ask for the next batch.
  const batchSize = nonNegativeInteger(ctx.body, 'batchSize') || DEFAULT_GET_MORE_BATCH;
  const { docs, exhausted } = cursor.nextBatch(batchSize);
  if (exhausted) ctx.state.cursors.kill(id);
  return { cursor: { nextBatch: docs, id: exhausted ? Long.ZERO : Long.fromBigInt(id), ns: cursor.ns }, ok: 1 };
}

/** A tailable cursor's getMore: the documents inserted since; with awaitData, waits up to maxTimeMS (default 1 s) for one. */
async function tailableGetMore(ctx: CommandContext, cursor: TailableCursor): Promise<Document> {
  const batchSize = nonNegativeInteger(ctx.body, 'batchSize') || DEFAULT_GET_MORE_BATCH;
  let docs: Document[];
  try {
    docs = cursor.nextBatch(batchSize);
    if (docs.length === 0 && cursor.awaitData) {
      const maxTimeMS = nonNegativeInteger(ctx.body, 'maxTimeMS') || 1000;
      const deadline = Date.now() + maxTimeMS;
      while (docs.length === 0 && Date.now() < deadline && ctx.state.cursors.get(cursor.id) === cursor) {
        await ctx.state.changeLog.waitForAppend(deadline - Date.now());
        docs = cursor.nextBatch(batchSize);
      }
    }
  } catch (error) {
    // A cursor whose collection went away is dead, as on mongod.
    ctx.state.cursors.kill(cursor.id);
    throw error;
  }
  return { cursor: { nextBatch: docs, id: Long.fromBigInt(cursor.id), ns: cursor.ns }, ok: 1 };
}

export function killCursors(ctx: CommandContext): Document {
  const ids = Array.isArray(ctx.body.cursors) ? (ctx.body.cursors as unknown[]) : [];
  const cursorsKilled: Long[] = [];
  const cursorsNotFound: Long[] = [];
  for (const raw of ids) {
    const id = raw instanceof Long ? raw : Long.fromNumber(Number(raw));
    (ctx.state.cursors.kill(id.toBigInt()) ? cursorsKilled : cursorsNotFound).push(id);
  }
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}
