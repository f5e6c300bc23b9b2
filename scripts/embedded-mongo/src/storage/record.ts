/**
 * The transaction holding a record's write lock, as records and readers need to know it: an
 * identity to compare, and a way to wait for it to end. mvcc.ts's Transaction implements it;
 * this module does not import mvcc.ts (records are the lower layer).
 */
export interface RecordLock {
  readonly id: number;
  /** Resolves when the transaction commits or aborts. */
  finished(): Promise<void>;
}

/** Commit timestamp of a record inserted by a transaction that has not committed yet. */
export const UNCOMMITTED = -1;

/** An older committed version of a document, kept only while an open snapshot may read it. */
export interface Version {
  ts: number;
  /** BSON bytes; null when this version is a deletion. */
  bson: Buffer | null;
  older: Version | null;
  /** True when this version has exactly the index entries of the next newer one (pruning it unindexes nothing). */
  sameKeysAsNewer: boolean;
}

/**
 * One document's slot: its newest committed version inline (most records never have another),
 * a chain of older versions for open snapshots, and at most one uncommitted version owned by the
 * transaction holding the write lock (first writer wins). Documents are kept as BSON bytes and
 * decoded on read: a small document then costs its bytes plus two small objects, not a tree of JS
 * objects (the < 1 KB per document budget at 1M documents).
 */
export class DocRecord {
  ts = UNCOMMITTED;
  bson: Buffer | null = null;
  older: Version | null = null;
  lock: RecordLock | null = null;
  /** The lock holder's version; null when it deletes the document. */
  pending: Buffer | null = null;

  constructor(readonly rid: number) {}
}

/** What a reader sees: committed versions up to `snapshotTs`, plus its own transaction's writes. */
export interface ReadView {
  snapshotTs: number;
  txn: RecordLock | null;
}

export const LATEST: ReadView = Object.freeze({ snapshotTs: Number.POSITIVE_INFINITY, txn: null });

/** The version of `rec` visible in `view`, or null when the document does not exist there. */
export function visibleBson(rec: DocRecord, view: ReadView): Buffer | null {
  if (view.txn !== null && rec.lock === view.txn) return rec.pending;
  if (rec.ts !== UNCOMMITTED && rec.ts <= view.snapshotTs) return rec.bson;
  for (let v = rec.older; v !== null; v = v.older) {
    if (v.ts <= view.snapshotTs) return v.bson;
  }
  return null;
}

/** True when every index entry of `rec` belongs to the single version a reader can see (fast path for scans). */
export function hasSingleVersion(rec: DocRecord): boolean {
  return rec.older === null && rec.lock === null;
}
