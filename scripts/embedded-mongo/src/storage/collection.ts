import { type Document, ObjectId, UUID } from 'bson';
import { withIdFirst } from './bson-layout.js';
import type { WriteChange } from './changes.js';
import { CollectionIndex, type IndexEntry, type IndexOptions } from './collection-index.js';
import { decodeDocument, encodeDocument, MAX_BSON_OBJECT_SIZE, retainBytes } from './document-codec.js';
import { ErrorCode, MongoCommandError } from '../errors.js';
import { duplicateKeyError } from './duplicate-key.js';
import { type RecordOwner, type Transaction, TransactionWait, writeConflict } from './mvcc.js';
import { DocRecord, type ReadView, UNCOMMITTED, type Version, visibleBson } from './record.js';

/** Record ids are process-wide so a record never changes identity, even across a rename. */
let nextRid = 1;

/**
 * A collection: its records (in insertion order, which is MongoDB's natural order for a fresh
 * collection) and its indexes. Writes go through a transaction (explicit, or the implicit one of a
 * single statement); the record-level rules of MVCC live here because only the collection knows
 * which index entries each version owns.
 */
export class Collection implements RecordOwner {
  readonly records = new Map<number, DocRecord>();
  readonly indexes = new Map<string, CollectionIndex>();
  readonly uuid = new UUID();
  /** Latest committed live documents and their BSON bytes (for count, stats). */
  liveCount = 0;
  liveBytes = 0;

  constructor(
    public db: string,
    public name: string,
    public options: Document,
  ) {
    // A time series collection's measurements may share an `_id`: its `_id` index is not unique.
    this.indexes.set('_id_', new CollectionIndex('_id_', { _id: 1 }, this.isTimeseries ? {} : { unique: true }));
  }

  /** Created with `timeseries: {timeField, metaField?, ...}`. */
  get isTimeseries(): boolean {
    return this.options.timeseries !== undefined;
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get idIndex(): CollectionIndex {
    return this.indexes.get('_id_')!;
  }

  read(rec: DocRecord, view: ReadView): Document | null {
    const bson = visibleBson(rec, view);
    return bson === null ? null : decodeDocument(bson);
  }

  /** The record holding `_id` in the latest committed state or the transaction's own writes (for replay and upsert races). */
  recordById(id: unknown, view: ReadView): DocRecord | null {
    const probe: IndexEntry = [id];
    for (const entry of this.idIndex.tree.scan(
      1,
      (k) => this.idIndex.comparePrefix(k, probe) < 0,
      (k) => this.idIndex.comparePrefix(k, probe) > 0,
    )) {
      const rec = this.records.get(this.idIndex.ridOf(entry));
      if (rec !== undefined && visibleBson(rec, view) !== null) return rec;
    }
    return null;
  }

  // ---- writes -------------------------------------------------------------------------

  /**
   * Inserts a document. As MongoDB stores it: `_id` first (an ObjectId when missing). `received`
   * are the document's bytes as they arrived, reused when `_id` already leads.
   */
  insert(txn: Transaction, input: Document, received?: Uint8Array): Document {
    this.refuseCappedInTransaction(txn);
    if (this.isTimeseries) this.checkMeasurement(input);
    let doc = input;
    let bson: Buffer;
    const reordered = received !== undefined && received.length <= MAX_BSON_OBJECT_SIZE ? (startsWithId(received) ? retainBytes(received) : withIdFirst(received)) : null;
    if (reordered !== null) {
      bson = reordered;
    } else {
      if (input._id === undefined) doc = { _id: new ObjectId(), ...input };
      else if (Object.keys(input)[0] !== '_id') doc = { _id: input._id, ...input };
      bson = encodeDocument(doc);
    }
    const rec = new DocRecord(nextRid++);
    rec.lock = txn;
    rec.pending = bson;
    this.records.set(rec.rid, rec);
    // Registered before any index entry goes in, so an abort finds and removes them all.
    txn.writes.set(rec, this);
    for (const index of this.indexes.values()) this.addEntries(txn, index, rec, index.entriesFor(doc, rec.rid));
    this.recordChange(txn, 'insert', null, bson);
    if (this.options.capped === true) this.evictOldest(txn, rec);
    return doc;
  }

  /** A capped collection's bounds: `size` bytes and at most `max` documents (when set). */
  get cappedLimits(): { size: number; max: number } | null {
    if (this.options.capped !== true) return null;
    const max = Number(this.options.max ?? 0);
    return { size: Number(this.options.size), max: max > 0 ? max : Number.POSITIVE_INFINITY };
  }

  /**
   * A capped collection past its bounds after the insert of `inserted` drops its oldest
   * documents (insertion order) in the same statement, as mongod does. Only non-transactional
   * statements write to a capped collection, so the committed counts plus the new document are
   * the collection's size.
   */
  private evictOldest(txn: Transaction, inserted: DocRecord): void {
    const limits = this.cappedLimits!;
    let count = this.liveCount + 1;
    let bytes = this.liveBytes + inserted.pending!.length;
    for (const rec of this.records.values()) {
      if (count <= limits.max && bytes <= limits.size) break;
      if (rec === inserted) break;
      if (rec.lock !== null || rec.ts === UNCOMMITTED || rec.bson === null) continue;
      count--;
      bytes -= rec.bson.length;
      this.remove(txn, rec);
    }
  }

  /**
   * Replaces the document of `rec` with `doc`. `current` is the version the caller read and
   * computed `doc` from (the committed head, or this transaction's own uncommitted version).
   * `op`: what change streams call it (a replacement document, or an update of some fields).
   */
  update(txn: Transaction, rec: DocRecord, doc: Document, current: Document, op: 'update' | 'replace' = 'update'): void {
    this.refuseCappedInTransaction(txn);
    if (this.isTimeseries) this.checkMeasurement(doc);
    this.lockFor(txn, rec);
    const bson = encodeDocument(doc);
    const firstWrite = rec.lock !== txn;
    const previous = firstWrite ? null : rec.pending;
    this.recordChange(txn, op, firstWrite ? rec.bson : previous, bson);
    const previousUnchanged = firstWrite || txn.keysUnchanged.has(rec);
    const entries: IndexEntry[][] = [];
    let unchanged = previousUnchanged;
    for (const index of this.indexes.values()) {
      const next = index.entriesFor(doc, rec.rid);
      entries.push(next);
      if (unchanged && !sameEntries(index, index.entriesFor(current, rec.rid), next)) unchanged = false;
    }
    rec.lock = txn;
    rec.pending = bson;
    txn.writes.set(rec, this);
    if (unchanged) {
      // Every entry of the new version is already in the indexes (the committed version's).
      txn.keysUnchanged.add(rec);
      return;
    }
    txn.keysUnchanged.delete(rec);
    // Drop the entries of this transaction's previous version first: if a unique check below
    // fails, the abort then only has the new version's entries to remove.
    if (previous !== null && !previousUnchanged) this.dropStaleEntries(rec, [previous]);
    let i = 0;
    for (const index of this.indexes.values()) this.addEntries(txn, index, rec, entries[i++]!);
  }

  remove(txn: Transaction, rec: DocRecord): void {
    this.refuseCappedInTransaction(txn);
    this.lockFor(txn, rec);
    this.recordChange(txn, 'delete', rec.lock === txn ? rec.pending : rec.bson, null);
    const previous = rec.lock === txn && !txn.keysUnchanged.has(rec) ? rec.pending : null;
    rec.lock = txn;
    rec.pending = null;
    txn.writes.set(rec, this);
    txn.keysUnchanged.delete(rec);
    if (previous !== null) this.dropStaleEntries(rec, [previous]);
  }

  private refuseCappedInTransaction(txn: Transaction): void {
    if (txn.explicit && this.options.capped === true) {
      throw new MongoCommandError(ErrorCode.OperationNotSupportedInTransaction, `Collection '${this.ns}' is a capped collection. Writes in transactions are not allowed on capped collections.`);
    }
    if (txn.explicit && this.isTimeseries) {
      throw new MongoCommandError(ErrorCode.OperationNotSupportedInTransaction, `Cannot write to time-series collection '${this.ns}' in a multi-document transaction.`);
    }
  }

  /** A time series measurement must carry its time field as a date. */
  private checkMeasurement(doc: Document): void {
    const timeField = String((this.options.timeseries as Document).timeField);
    if (!(doc[timeField] instanceof Date)) {
      throw new MongoCommandError(ErrorCode.BadValue, `'${timeField}' must be present and contain a valid BSON UTC datetime value`);
    }
  }

  /** Notes a write for change streams; the engine hands the transaction's notes over at commit. */
  private recordChange(txn: Transaction, op: WriteChange['op'], before: Buffer | null, after: Buffer | null): void {
    const images = (this.options.changeStreamPreAndPostImages as Document | undefined)?.enabled === true;
    txn.changes.push({ op, db: this.db, coll: this.name, uuid: this.uuid, before, after, images });
  }

  /** First writer wins: a record held by another transaction, or committed after our snapshot, conflicts. */
  private lockFor(txn: Transaction, rec: DocRecord): void {
    if (rec.lock !== null && rec.lock !== txn) {
      throw txn.explicit ? writeConflict() : new TransactionWait(rec.lock);
    }
    if (rec.lock !== txn && rec.ts !== UNCOMMITTED && rec.ts > txn.snapshotTs) throw writeConflict();
  }

  private addEntries(txn: Transaction, index: CollectionIndex, rec: DocRecord, entries: IndexEntry[]): void {
    if (index.refusesDuplicates) for (const entry of entries) this.checkUnique(txn, index, rec, entry);
    for (const entry of entries) index.tree.insert(entry);
  }

  /**
   * A unique key is taken when another record's current version has it: the latest committed
   * version, or the uncommitted version of the transaction holding it. Another transaction's
   * uncommitted key is a conflict (or a wait, for a non-transactional write), not a duplicate:
   * that transaction may still abort.
   */
  private checkUnique(txn: Transaction, index: CollectionIndex, rec: DocRecord, entry: IndexEntry): void {
    for (const other of index.entriesWithKey(entry)) {
      const rid = index.ridOf(other);
      if (rid === rec.rid) continue;
      const holder = this.records.get(rid);
      if (holder === undefined) continue;
      if (holder.lock !== null && holder.lock !== txn) {
        if (this.versionHasKey(holder.pending, index, holder.rid, entry) || this.versionHasKey(holder.bson, index, holder.rid, entry)) {
          throw txn.explicit ? writeConflict() : new TransactionWait(holder.lock);
        }
        continue;
      }
      const current = holder.lock === txn ? holder.pending : holder.bson;
      if (this.versionHasKey(current, index, holder.rid, entry)) {
        if (holder.lock !== txn && holder.ts > txn.snapshotTs) throw writeConflict();
        throw duplicateKeyError(this.ns, index.name, index.key, index.keyValueOf(entry));
      }
    }
  }

  private versionHasKey(bson: Buffer | null, index: CollectionIndex, rid: number, entry: IndexEntry): boolean {
    if (bson === null) return false;
    return index.entriesFor(decodeDocument(bson), rid).some((e) => index.sameKey(e, entry));
  }

  // ---- commit, abort, garbage (called by the TransactionManager) ------------------------

  commitRecord(rec: DocRecord, ts: number, oldestSnapshot: number, keysUnchanged = false): void {
    if (rec.ts !== UNCOMMITTED) {
      if (rec.bson !== null) {
        this.liveCount--;
        this.liveBytes -= rec.bson.length;
      }
      rec.older = { ts: rec.ts, bson: rec.bson, older: rec.older, sameKeysAsNewer: keysUnchanged };
    }
    rec.ts = ts;
    rec.bson = rec.pending;
    rec.lock = null;
    rec.pending = null;
    if (rec.bson !== null) {
      this.liveCount++;
      this.liveBytes += rec.bson.length;
    }
    if (keysUnchanged && ts <= oldestSnapshot && rec.older !== null && rec.older.older === null) {
      // The replaced version shares every index entry with the new one: nothing to unindex.
      rec.older = null;
      return;
    }
    this.collectRecord(rec, oldestSnapshot);
  }

  abortRecord(rec: DocRecord, keysUnchanged = false): void {
    const pending = rec.pending;
    rec.lock = null;
    rec.pending = null;
    if (pending !== null && !keysUnchanged) this.dropStaleEntries(rec, [pending]);
    if (rec.ts === UNCOMMITTED) this.records.delete(rec.rid);
  }

  /**
   * Prunes versions no snapshot at or after `oldestSnapshot` can read, with their index entries.
   * Returns true while older versions remain.
   */
  collectRecord(rec: DocRecord, oldestSnapshot: number): boolean {
    const removed: Buffer[] = [];
    // Pruning always cuts a suffix of the chain; when every cut version shares its newer
    // neighbour's entries, the kept version still owns them all and nothing is unindexed.
    let allSameKeys = true;
    const cut = (from: Version | null): void => {
      for (let v = from; v !== null; v = v.older) {
        if (v.bson !== null) removed.push(v.bson);
        if (!v.sameKeysAsNewer) allSameKeys = false;
      }
    };
    if (rec.ts <= oldestSnapshot) {
      cut(rec.older);
      rec.older = null;
    } else {
      let keep: Version | null = rec.older;
      while (keep !== null && keep.ts > oldestSnapshot) keep = keep.older;
      if (keep !== null) {
        cut(keep.older);
        keep.older = null;
      }
    }
    if (removed.length > 0 && !allSameKeys) this.dropStaleEntries(rec, removed);
    if (rec.bson === null && rec.older === null && rec.lock === null && rec.ts !== UNCOMMITTED) this.records.delete(rec.rid);
    return rec.older !== null;
  }

  /** Removes the entries of `gone` versions that no version still kept produces. */
  private dropStaleEntries(rec: DocRecord, gone: Buffer[]): void {
    const goneDocs = gone.map(decodeDocument);
    const keptDocs = this.keptVersions(rec).map(decodeDocument);
    for (const index of this.indexes.values()) {
      const kept = keptDocs.flatMap((d) => index.entriesFor(d, rec.rid));
      for (const doc of goneDocs) {
        for (const entry of index.entriesFor(doc, rec.rid)) {
          if (!kept.some((k) => index.sameKey(k, entry))) index.tree.delete(entry);
        }
      }
    }
  }

  private keptVersions(rec: DocRecord): Buffer[] {
    const out: Buffer[] = [];
    if (rec.lock !== null && rec.pending !== null) out.push(rec.pending);
    if (rec.bson !== null) out.push(rec.bson);
    for (let v = rec.older; v !== null; v = v.older) if (v.bson !== null) out.push(v.bson);
    return out;
  }

  // ---- indexes ---------------------------------------------------------------------------

  /** Builds a new index over every kept version; fails with DuplicateKey (and adds nothing) when a unique key repeats. */
  addIndex(name: string, key: Document, options: IndexOptions): CollectionIndex {
    const index = new CollectionIndex(name, key, options);
    for (const rec of this.records.values()) {
      const current = rec.lock !== null ? rec.pending : rec.bson;
      if (current === null) continue;
      for (const entry of index.entriesFor(decodeDocument(current), rec.rid)) {
        if (index.unique) {
          for (const other of index.entriesWithKey(entry)) {
            if (index.ridOf(other) !== rec.rid) throw duplicateKeyError(this.ns, name, key, index.keyValueOf(entry));
          }
        }
        index.tree.insert(entry);
      }
    }
    for (const rec of this.records.values()) {
      for (const bson of this.keptVersions(rec)) {
        for (const entry of index.entriesFor(decodeDocument(bson), rec.rid)) index.tree.insert(entry);
      }
    }
    this.indexes.set(name, index);
    return index;
  }

  /**
   * The documents whose keys in `index` repeat, as collMod reports them when it cannot make the
   * index unique: one `{ids: [...]}` per repeated key (the latest committed versions).
   */
  duplicateKeyViolations(index: CollectionIndex): Document[] {
    const violations: Document[] = [];
    let group: { entry: IndexEntry; ids: unknown[]; rids: Set<number> } | null = null;
    const flush = () => {
      if (group !== null && group.ids.length > 1) violations.push({ ids: group.ids });
    };
    // The tree is in key order: documents sharing a key are neighbours.
    for (const entry of index.tree.scan(
      1,
      () => false,
      () => false,
    )) {
      const rec = this.records.get(index.ridOf(entry));
      if (rec === undefined) continue;
      const current = rec.lock !== null ? rec.pending : rec.bson;
      // Entries of versions kept for open snapshots are not the document's key any more.
      if (!this.versionHasKey(current, index, rec.rid, entry)) continue;
      if (group === null || !index.sameKey(group.entry, entry)) {
        flush();
        group = { entry, ids: [], rids: new Set() };
      }
      if (group.rids.has(rec.rid)) continue;
      group.rids.add(rec.rid);
      group.ids.push(decodeDocument(current!)._id);
    }
    flush();
    return violations;
  }

  // ---- recovery (no transactions are open while the journal replays) ---------------------

  /**
   * Puts a committed document as the latest version, replacing the one with the same `_id`; in
   * a time series collection (where `_id`s repeat), `replaces` tells which: a new document
   * ('new'), or the one whose bytes were these.
   */
  loadDocument(bson: Buffer, ts: number, replaces?: 'new' | Buffer): void {
    const doc = decodeDocument(bson);
    const existing = replaces === 'new' ? null : this.recordToReplay(doc._id, replaces);
    const rec = existing ?? new DocRecord(nextRid++);
    if (existing === null) this.records.set(rec.rid, rec);
    rec.lock = null;
    rec.pending = bson;
    this.commitRecord(rec, ts, Number.POSITIVE_INFINITY);
    for (const index of this.indexes.values()) for (const entry of index.entriesFor(doc, rec.rid)) index.tree.insert(entry);
  }

  loadDeletion(id: unknown, ts: number, old?: Buffer): void {
    const rec = this.recordToReplay(id, old);
    if (rec === null) return;
    rec.pending = null;
    this.commitRecord(rec, ts, Number.POSITIVE_INFINITY);
  }

  private recordToReplay(id: unknown, old: Buffer | undefined): DocRecord | null {
    const latest = { snapshotTs: Number.POSITIVE_INFINITY, txn: null };
    if (old === undefined) return this.recordById(id, latest);
    const probe: IndexEntry = [id];
    for (const entry of this.idIndex.tree.scan(
      1,
      (k) => this.idIndex.comparePrefix(k, probe) < 0,
      (k) => this.idIndex.comparePrefix(k, probe) > 0,
    )) {
      const rec = this.records.get(this.idIndex.ridOf(entry));
      if (rec?.bson?.equals(old) === true) return rec;
    }
    return null;
  }

  /** Latest committed documents' bytes, for a snapshot file. */
  *latestBson(): Generator<Buffer> {
    for (const rec of this.records.values()) if (rec.ts !== UNCOMMITTED && rec.bson !== null) yield rec.bson;
  }
}

function sameEntries(index: CollectionIndex, a: IndexEntry[], b: IndexEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!index.sameKey(a[i]!, b[i]!)) return false;
  return true;
}

/** True when the first element of a BSON document is named `_id` (and it fits the size limit). */
function startsWithId(bytes: Uint8Array): boolean {
  return bytes.length <= MAX_BSON_OBJECT_SIZE && bytes.length > 9 && bytes[5] === 0x5f /* _ */ && bytes[6] === 0x69 /* i */ && bytes[7] === 0x64 /* d */ && bytes[8] === 0;
}
