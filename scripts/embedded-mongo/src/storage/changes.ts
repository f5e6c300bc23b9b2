import type { Document, UUID } from 'bson';

/**
 * What the storage engine tells change streams: every committed write and catalog change, in
 * commit order. Writes are recorded on their transaction as statements run (an aborted
 * transaction's records go with it) and handed over once it commits, all together; catalog
 * changes apply at once and are handed over as they happen. Documents stay the immutable BSON
 * bytes the versions already hold: nothing is copied or decoded unless a change stream reads it.
 */

/** One write statement's effect on one document. */
export interface WriteChange {
  readonly op: 'insert' | 'update' | 'replace' | 'delete';
  readonly db: string;
  readonly coll: string;
  readonly uuid: UUID;
  /** The document before the write (update, replace, delete), as BSON. */
  readonly before: Buffer | null;
  /** The document after the write (insert, update, replace), as BSON. */
  readonly after: Buffer | null;
  /** The collection had `changeStreamPreAndPostImages` enabled: the images may be reported. */
  readonly images: boolean;
}

/** A catalog change (the DDL events of change streams). */
export interface CatalogChange {
  readonly op: 'create' | 'drop' | 'rename' | 'dropDatabase' | 'createIndexes' | 'dropIndexes' | 'modify';
  readonly db: string;
  /** Absent for dropDatabase. */
  readonly coll?: string;
  readonly uuid?: UUID;
  /** The new namespace of a rename. */
  readonly to?: { db: string; coll: string };
  /** `operationDescription` of the expanded event. */
  readonly description?: Document;
}

export type Change = WriteChange | CatalogChange;

export function isWriteChange(change: Change): change is WriteChange {
  return change.op === 'insert' || change.op === 'update' || change.op === 'replace' || change.op === 'delete';
}

/** The session transaction a commit belongs to (its events carry them), as the server set it. */
export interface ChangeOrigin {
  readonly lsid: Document;
  readonly txnNumber: bigint;
}

/** Receives each commit's changes (in statement order) synchronously, in commit order. */
export type ChangeListener = (changes: readonly Change[], origin: ChangeOrigin | null) => void;
