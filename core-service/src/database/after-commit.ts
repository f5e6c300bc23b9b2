import type { ClientSession } from 'mongodb';

type AfterCommitHook = () => void | Promise<void>;

const pendingHooks = new WeakMap<ClientSession, AfterCommitHook[]>();

/**
 * Runs `hook` once the transaction on `session` has committed, or at once when the session is
 * absent or not in a transaction. Cache invalidation needs this: invalidating before commit
 * lets a concurrent reader put the pre-commit value back into the cache, where it would stay
 * until its TTL.
 *
 * `withTransaction` flushes the hooks after a commit and drops them after an abort. Sessions
 * driven by hand flush when they end (an extra invalidation after an abort costs one cache miss).
 */
export async function runAfterCommit(session: ClientSession | undefined, hook: AfterCommitHook): Promise<void> {
  if (session === undefined || !session.inTransaction()) {
    await hook();
    return;
  }
  let hooks = pendingHooks.get(session);
  if (hooks === undefined) {
    hooks = [];
    pendingHooks.set(session, hooks);
    session.once('ended', () => void flushAfterCommitHooks(session));
  }
  hooks.push(hook);
}

/** Runs and forgets the hooks registered on `session`; a failing hook does not stop the others. */
export async function flushAfterCommitHooks(session: ClientSession): Promise<void> {
  const hooks = pendingHooks.get(session);
  if (hooks === undefined) return;
  pendingHooks.delete(session);
  await Promise.allSettled(hooks.map(async (hook) => hook()));
}

export function discardAfterCommitHooks(session: ClientSession): void {
  pendingHooks.delete(session);
}
