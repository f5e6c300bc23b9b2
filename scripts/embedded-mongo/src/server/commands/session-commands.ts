import { type Document, UUID } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import type { CommandContext } from '../command-context.js';
import type { ServerState } from '../server-state.js';
import { type Session, SESSION_TIMEOUT_MINUTES } from '../sessions.js';

/** Transaction and session commands. The transaction itself was resolved by the dispatcher. */

export async function commitTransaction(ctx: CommandContext): Promise<Document> {
  const txn = ctx.txn;
  if (txn === null) throw new MongoCommandError(ErrorCode.NoSuchTransaction, 'no transaction to commit', { errorLabels: ['TransientTransactionError'] });
  await ctx.state.engine.commit(txn);
  return { ok: 1 };
}

export function abortTransaction(ctx: CommandContext): Document {
  const txn = ctx.txn;
  if (txn === null) throw new MongoCommandError(ErrorCode.NoSuchTransaction, 'no transaction to abort', { errorLabels: ['TransientTransactionError'] });
  ctx.state.engine.abort(txn, 'aborted by the client');
  return { ok: 1 };
}

/** startSession: a server-generated lsid (drivers make their own; shells and tools may ask). */
export function startSession(ctx: CommandContext): Document {
  const lsid = { id: new UUID() };
  ctx.state.sessions.acquire(lsid);
  return { id: lsid, timeoutMinutes: SESSION_TIMEOUT_MINUTES, ok: 1 };
}

export function endSessions(ctx: CommandContext): Document {
  endListedSessions(ctx.state, ctx.body.endSessions);
  return { ok: 1 };
}

/** killSessions: the listed sessions; an empty list means every session (there are no users to scope it to). */
export function killSessions(ctx: CommandContext): Document {
  const list = ctx.body.killSessions;
  if (Array.isArray(list) && list.length === 0) return killAllSessions(ctx);
  endListedSessions(ctx.state, list);
  return { ok: 1 };
}

export function killAllSessions(ctx: CommandContext): Document {
  for (const session of ctx.state.sessions.all()) endSession(ctx.state, session);
  return { ok: 1 };
}

export function refreshSessions(ctx: CommandContext): Document {
  const list = Array.isArray(ctx.body.refreshSessions) ? (ctx.body.refreshSessions as Document[]) : [];
  for (const lsid of list) ctx.state.sessions.acquire(lsid);
  return { ok: 1 };
}

function endListedSessions(state: ServerState, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const lsid of list as Document[]) {
    const session = state.sessions.peek(lsid);
    if (session !== undefined) endSession(state, session);
  }
}

/** Ending a session aborts its open transaction and closes its cursors. */
export function endSession(state: ServerState, session: Session): void {
  if (session.txn !== null && session.txn.state === 'active') state.engine.abort(session.txn, 'session ended');
  state.cursors.killForSession(session);
  state.sessions.remove(session);
}
