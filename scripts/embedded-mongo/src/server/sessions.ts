import type { Binary, Document } from 'bson';
import type { Transaction } from '../storage/mvcc.js';

/** MongoDB's default; advertised as logicalSessionTimeoutMinutes. */
export const SESSION_TIMEOUT_MINUTES = 30;

/**
 * A logical session (lsid) as the server sees it: the highest txnNumber used, the transaction
 * of that number, and the recorded reply of the last retryable write (so a retry after a
 * network error is answered, not applied twice).
 */
export class Session {
  lastUse = Date.now();
  txnNumber = -1n;
  txn: Transaction | null = null;
  /** The txnNumber `txn` was started with (retryable writes may have moved `txnNumber` on since). */
  txnNumberOfTxn = -1n;
  retryable: { txnNumber: bigint; reply: Promise<Document> } | null = null;
  /** Cursors opened in this session, killed with it. */
  readonly cursorIds = new Set<bigint>();

  constructor(
    readonly key: string,
    readonly lsid: Document,
  ) {}
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  /** The session of an `lsid` field, created on first use. */
  acquire(lsid: Document): Session {
    const key = sessionKey(lsid);
    let session = this.sessions.get(key);
    if (session === undefined) {
      session = new Session(key, lsid);
      this.sessions.set(key, session);
    }
    session.lastUse = Date.now();
    return session;
  }

  peek(lsid: Document): Session | undefined {
    return this.sessions.get(sessionKey(lsid));
  }

  remove(session: Session): void {
    this.sessions.delete(session.key);
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  /** Sessions idle longer than the logical session timeout. */
  expired(now: number): Session[] {
    const limit = SESSION_TIMEOUT_MINUTES * 60_000;
    return this.all().filter((s) => now - s.lastUse > limit);
  }

  get size(): number {
    return this.sessions.size;
  }
}

function sessionKey(lsid: Document): string {
  const id = lsid.id as Binary | undefined;
  if (id === undefined || id === null || typeof (id as Binary).toString !== 'function') return JSON.stringify(lsid);
  return Buffer.from((id as Binary).buffer).toString('hex');
}
