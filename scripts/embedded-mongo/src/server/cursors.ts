import { BSON, type Document, Long } from 'bson';
import type { Transaction } from '../storage/mvcc.js';
import type { Session } from './sessions.js';

/** Cursors idle this long are closed, as MongoDB's cursorTimeoutMillis default. */
export const CURSOR_TIMEOUT_MS = 10 * 60_000;
/** Replies stay under the 16 MB document limit with room for the envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
export const DEFAULT_FIRST_BATCH = 101;

export class ServerCursor {
  lastUse = Date.now();
  private lookahead: IteratorResult<Document> | null = null;

  constructor(
    readonly id: bigint,
    readonly ns: string,
    private readonly source: Iterator<Document>,
    readonly session: Session | null,
    /** The transaction the cursor reads in; its getMores must come in the same transaction. */
    readonly txn: Transaction | null,
  ) {}

  /** Up to `batchSize` documents (0 = as many as fit in a reply); `exhausted` tells whether more remain. */
  nextBatch(batchSize: number): { docs: Document[]; exhausted: boolean } {
    this.lastUse = Date.now();
    const docs: Document[] = [];
    let bytes = 0;
    for (;;) {
      if (batchSize > 0 && docs.length >= batchSize) break;
      const next = this.lookahead ?? this.source.next();
      this.lookahead = null;
      if (next.done === true) return { docs, exhausted: true };
      const size = BSON.calculateObjectSize(next.value);
      if (docs.length > 0 && bytes + size > MAX_BATCH_BYTES) {
        this.lookahead = next;
        break;
      }
      docs.push(next.value);
      bytes += size;
    }
    // Peek so the last batch closes the cursor (id 0) instead of leaving an empty getMore; a
    // document held back by the size cap is already the lookahead.
    this.lookahead ??= this.source.next();
    return { docs, exhausted: this.lookahead.done === true };
  }

  close(): void {
    this.source.return?.();
  }
}

/** What the registry keeps of any cursor: query cursors (ServerCursor) and change stream cursors. */
export interface RegisteredCursor {
  readonly id: bigint;
  readonly ns: string;
  readonly session: Session | null;
  readonly txn: Transaction | null;
  lastUse: number;
  close(): void;
}

export class CursorRegistry {
  private readonly cursors = new Map<bigint, RegisteredCursor>();
  private nextId = BigInt(Date.now()) * 1000n;

  open(ns: string, source: Iterator<Document>, session: Session | null, txn: Transaction | null): ServerCursor {
    return this.register((id) => new ServerCursor(id, ns, source, session, txn));
  }

  /** Registers a cursor `create` builds with its new id. */
  register<C extends RegisteredCursor>(create: (id: bigint) => C): C {
    const id = ++this.nextId;
    const cursor = create(id);
    this.cursors.set(id, cursor);
    cursor.session?.cursorIds.add(id);
    return cursor;
  }

  get(id: bigint): RegisteredCursor | undefined {
    return this.cursors.get(id);
  }

  kill(id: bigint): boolean {
    const cursor = this.cursors.get(id);
    if (cursor === undefined) return false;
    this.cursors.delete(id);
    cursor.session?.cursorIds.delete(id);
    cursor.close();
    return true;
  }

  killForSession(session: Session): void {
    for (const id of [...session.cursorIds]) this.kill(id);
  }

  /** Closes idle cursors, and cursors of transactions that ended (they can never be continued). */
  sweep(now: number): void {
    for (const [id, cursor] of this.cursors) {
      if (now - cursor.lastUse > CURSOR_TIMEOUT_MS || (cursor.txn !== null && cursor.txn.state !== 'active')) this.kill(id);
    }
  }

  get size(): number {
    return this.cursors.size;
  }
}

/**
 * Runs the first batch of a query and answers in the `cursor` reply shape; the server cursor
 * stays open only when documents remain.
 */
export function firstBatchReply(
  registry: CursorRegistry,
  ns: string,
  source: Iterator<Document>,
  options: { batchSize?: number; singleBatch?: boolean; session: Session | null; txn: Transaction | null },
): Document {
  const cursor = registry.open(ns, source, options.session, options.txn);
  // batchSize 0 asks for the cursor only: no documents, no work yet.
  const { docs, exhausted } = options.batchSize === 0 ? { docs: [] as Document[], exhausted: false } : cursor.nextBatch(options.batchSize ?? DEFAULT_FIRST_BATCH);
  let id = cursor.id;
  if (exhausted || options.singleBatch === true) {
    registry.kill(cursor.id);
    id = 0n;
  }
  return { cursor: { firstBatch: docs, id: Long.fromBigInt(id), ns }, ok: 1 };
}
