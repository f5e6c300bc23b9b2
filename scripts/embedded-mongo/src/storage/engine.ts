import { mkdir, readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import type { CatalogChange, ChangeListener } from './changes.js';
import { Collection } from './collection.js';
import type { IndexOptions } from './collection-index.js';
import { decodeDocument } from './document-codec.js';
import { Journal, readJournalFrames } from './journal.js';
import { type Transaction, TransactionManager } from './mvcc.js';
import { numberOf } from './numeric-value.js';
import { readSnapshot, removeFile, type SnapshotCollection, writeSnapshot } from './snapshot-file.js';
import { UNCOMMITTED } from './record.js';
import { Binary } from 'bson';

export interface EngineOptions {
  /** Directory for the journal and snapshot; absent = memory only. */
  dbPath?: string;
  /** fsync each group of journal writes (slower; protects against power loss, not just process death). */
  fsync?: boolean;
  /** Journal size that triggers compaction into a snapshot. */
  compactJournalBytes?: number;
}

const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;
const SNAPSHOT_FILE = 'snapshot.bin';
const journalName = (seq: number): string => `journal-${String(seq).padStart(8, '0')}.log`;

/**
 * The storage engine: databases of collections, the transaction manager and durability.
 * Catalog changes (create, drop, indexes) are not transactional: they apply at once and are
 * journaled in commit order with the data.
 */
export class Engine {
  readonly txns = new TransactionManager();
  private readonly dbs = new Map<string, Map<string, Collection>>();
  private journal: Journal | null = null;
  private journalSeq = 1;
  private lastWrite: Promise<void> = Promise.resolve();
  private compacting: Promise<void> | null = null;
  private replaying = false;
  /** Receives every commit's changes and every catalog change (the server's change log); not called while the journal replays. */
  changeListener: ChangeListener | null = null;

  private constructor(private readonly options: EngineOptions) {}

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const engine = new Engine(options);
    if (options.dbPath !== undefined) await engine.recover(options.dbPath);
    return engine;
  }

  // ---- catalog ---------------------------------------------------------------------------

  /**
   * Collections and indexes a multi-document transaction created and has not committed yet:
   * other sessions do not list them; an abort drops them again (MongoDB 4.4+ semantics of
   * DDL inside a transaction).
   */
  private readonly pendingDdl = new Map<Transaction, { collections: Collection[]; indexes: [Collection, string][] }>();
  private readonly pendingCreator = new Map<Collection | CollectionIndexRef, Transaction>();

  /** Records that `txn` (a multi-document transaction) created `coll`, or index `indexName` of it. */
  markCreatedBy(txn: Transaction, coll: Collection, indexName?: string): void {
    let pending = this.pendingDdl.get(txn);
    if (pending === undefined) {
      pending = { collections: [], indexes: [] };
      this.pendingDdl.set(txn, pending);
    }
    if (indexName === undefined) {
      pending.collections.push(coll);
      this.pendingCreator.set(coll, txn);
    } else {
      pending.indexes.push([coll, indexName]);
      this.pendingCreator.set(indexRef(coll, indexName), txn);
    }
  }

  /** False for a collection (or index) created by another session's uncommitted transaction. */
  isVisibleTo(txn: Transaction | null, coll: Collection, indexName?: string): boolean {
    const creator = this.pendingCreator.get(indexName === undefined ? coll : indexRef(coll, indexName));
    return creator === undefined || creator === txn;
  }

  private settleDdl(txn: Transaction, committed: boolean): void {
    const pending = this.pendingDdl.get(txn);
    if (pending === undefined) return;
    this.pendingDdl.delete(txn);
    for (const [coll, name] of pending.indexes) {
      this.pendingCreator.delete(indexRef(coll, name));
      if (!committed && coll.indexes.has(name) && this.collection(coll.db, coll.name) === coll) this.dropIndex(coll, name);
    }
    for (const coll of pending.collections) {
      this.pendingCreator.delete(coll);
      // The creation is undone: change streams saw a create (expanded events), not a drop.
      if (!committed && this.collection(coll.db, coll.name) === coll) this.dropCollection(coll.db, coll.name, false);
    }
  }

  collection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.dbs.keys()].filter((db) => (this.dbs.get(db)?.size ?? 0) > 0);
  }

  /** The collection, created implicitly (as a write to a missing collection does). */
  ensureCollection(db: string, name: string): Collection {
    return this.collection(db, name) ?? this.createCollection(db, name, {});
  }

  createCollection(db: string, name: string, options: Document): Collection {
    validateNamespace(db, name);
    if (this.collection(db, name) !== undefined) {
      throw new MongoCommandError(ErrorCode.NamespaceExists, `Collection ${db}.${name} already exists.`);
    }
    const coll = new Collection(db, name, options);
    let colls = this.dbs.get(db);
    if (colls === undefined) {
      colls = new Map();
      this.dbs.set(db, colls);
    }
    colls.set(name, coll);
    this.journalCatalog({ op: 'create', ns: coll.ns, options });
    this.emitCatalog({ op: 'create', db, coll: name, uuid: coll.uuid, description: { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' }, ...options } });
    return coll;
  }

  /** `report`: false when change streams must not see a drop (an undone creation, a rename's target). */
  dropCollection(db: string, name: string, report = true): Collection | undefined {
    const coll = this.collection(db, name);
    if (coll === undefined) return undefined;
    this.abortHolders(coll);
    this.dbs.get(db)!.delete(name);
    this.txns.forgetOwner(coll);
    this.journalCatalog({ op: 'drop', ns: coll.ns });
    if (report) this.emitCatalog({ op: 'drop', db, coll: name, uuid: coll.uuid });
    return coll;
  }

  dropDatabase(db: string): void {
    const colls = this.collections(db);
    for (const coll of colls) this.dropCollection(db, coll.name);
    this.dbs.delete(db);
    if (colls.length > 0) this.emitCatalog({ op: 'dropDatabase', db });
  }

  renameCollection(from: Collection, toDb: string, toName: string, dropTarget: boolean): void {
    validateNamespace(toDb, toName);
    const target = this.collection(toDb, toName);
    if (target !== undefined) {
      if (!dropTarget) throw new MongoCommandError(ErrorCode.NamespaceExists, 'target namespace exists');
      // Change streams see one rename event naming the dropped target, as from mongod.
      this.dropCollection(toDb, toName, false);
    }
    const fromNs = from.ns;
    this.dbs.get(from.db)!.delete(from.name);
    from.db = toDb;
    from.name = toName;
    let colls = this.dbs.get(toDb);
    if (colls === undefined) {
      colls = new Map();
      this.dbs.set(toDb, colls);
    }
    colls.set(toName, from);
    this.journalCatalog({ op: 'rename', from: fromNs, to: from.ns });
    const fromDb = fromNs.slice(0, fromNs.indexOf('.'));
    const fromName = fromNs.slice(fromDb.length + 1);
    const to = { db: toDb, coll: toName };
    this.emitCatalog({ op: 'rename', db: fromDb, coll: fromName, uuid: from.uuid, to, description: { to, ...(target !== undefined ? { dropTarget: target.uuid } : {}) } });
  }

  /** `report`: false for an index the collection's creation implies (change streams see only the `create`). */
  createIndex(coll: Collection, name: string, key: Document, options: IndexOptions, report = true): void {
    coll.addIndex(name, key, options);
    this.journalCatalog({ op: 'createIndex', ns: coll.ns, name, key, options });
    if (report) this.emitCatalog({ op: 'createIndexes', db: coll.db, coll: coll.name, uuid: coll.uuid, description: { indexes: [{ v: 2, key, name, ...options }] } });
  }

  dropIndex(coll: Collection, name: string): void {
    const index = coll.indexes.get(name);
    coll.indexes.delete(name);
    this.journalCatalog({ op: 'dropIndex', ns: coll.ns, name });
    if (index !== undefined) this.emitCatalog({ op: 'dropIndexes', db: coll.db, coll: coll.name, uuid: coll.uuid, description: { indexes: [{ v: 2, key: index.key, name }] } });
  }

  /** collMod: sets (or, with undefined, removes) collection options; change streams see a `modify` event. */
  modifyCollection(coll: Collection, options: Document, description: Document): void {
    for (const [key, value] of Object.entries(options)) {
      if (value === undefined) delete coll.options[key];
      else coll.options[key] = value;
    }
    if (Object.keys(options).length > 0) {
      this.journalCatalog({ op: 'setOptions', ns: coll.ns, options: Object.fromEntries(Object.entries(options).map(([key, value]) => [key, value ?? null])) });
    }
    this.emitCatalog({ op: 'modify', db: coll.db, coll: coll.name, uuid: coll.uuid, description });
  }

  /** collMod of a TTL index: only expireAfterSeconds changes, the entries stay. */
  setExpireAfterSeconds(coll: Collection, name: string, seconds: number): void {
    const index = coll.indexes.get(name);
    if (index === undefined) return;
    index.options.expireAfterSeconds = seconds;
    this.journalCatalog({ op: 'setExpireAfterSeconds', ns: coll.ns, name, seconds });
  }

  /** collMod of an index's `prepareUnique` / `unique` (already checked by the caller). */
  setIndexOptions(coll: Collection, name: string, options: { prepareUnique?: boolean; unique?: boolean }): void {
    const index = coll.indexes.get(name);
    if (index === undefined) return;
    applyIndexOptions(index.options, options);
    this.journalCatalog({ op: 'setIndexOptions', ns: coll.ns, name, options });
  }

  private emitCatalog(change: CatalogChange): void {
    if (this.changeListener !== null && !this.replaying) this.changeListener([change], null);
  }

  /** A dropped collection must not leave transactions holding its records. */
  private abortHolders(coll: Collection): void {
    for (const txn of [...this.txns.openTransactions]) {
      for (const owner of txn.writes.values()) {
        if (owner === coll) {
          this.txns.abort(txn, `collection ${coll.ns} was dropped`);
          break;
        }
      }
    }
  }

  // ---- transactions ----------------------------------------------------------------------

  begin(explicit: boolean): Transaction {
    return this.txns.begin(explicit);
  }

  /**
   * Commits the write set (visible at once, all or nothing) and resolves when it is in the
   * journal. Everything up to the journal append is synchronous, so commit order is journal order.
   */
  commit(txn: Transaction): Promise<void> {
    const ops = this.journal !== null && !this.replaying ? this.journalOps(txn) : null;
    const ts = this.txns.commit(txn);
    this.settleDdl(txn, true);
    if (txn.changes.length > 0 && this.changeListener !== null && !this.replaying) this.changeListener(txn.changes, txn.origin);
    if (ops === null || ops.length === 0) return this.lastWrite;
    return this.append({ t: 'w', ts, ops });
  }

  abort(txn: Transaction, reason?: string): void {
    this.txns.abort(txn, reason);
    this.settleDdl(txn, false);
  }

  /** Resolves when every change made so far is durable. */
  whenDurable(): Promise<void> {
    return this.lastWrite;
  }

  private journalOps(txn: Transaction): Document[] {
    const ops: Document[] = [];
    for (const [rec, owner] of txn.writes) {
      // In a time series collection `_id`s repeat: a write also names the version it replaces.
      const versions = owner instanceof Collection && owner.isTimeseries;
      if (rec.pending !== null) {
        const op: Document = { ns: owner.ns, p: new Binary(rec.pending) };
        if (versions) {
          if (rec.ts === UNCOMMITTED || rec.bson === null) op.n = true;
          else op.o = new Binary(rec.bson);
        }
        ops.push(op);
      } else if (rec.bson !== null) {
        ops.push({ ns: owner.ns, d: decodeDocument(rec.bson)._id, ...(versions ? { o: new Binary(rec.bson) } : {}) });
      }
    }
    return ops;
  }

  private journalCatalog(entry: Document): void {
    if (this.journal === null || this.replaying) return;
    this.append({ t: 'c', ...entry }).catch(() => undefined);
  }

  private append(payload: Document): Promise<void> {
    const journal = this.journal!;
    const written = journal.append(payload);
    this.lastWrite = written;
    const limit = this.options.compactJournalBytes ?? DEFAULT_COMPACT_BYTES;
    if (journal.size > limit && this.compacting === null) {
      this.compacting = this.compact()
        .catch((error: unknown) => {
          // The journal still holds everything; compaction is retried at the next threshold.
          process.emitWarning(`embedded-mongo journal compaction failed: ${(error as Error).message}`);
        })
        .finally(() => {
          this.compacting = null;
        });
    }
    return written;
  }

  // ---- durability ------------------------------------------------------------------------

  private async recover(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    this.replaying = true;
    const snapshot = await readSnapshot(join(dir, SNAPSHOT_FILE));
    if (snapshot !== null) {
      this.journalSeq = snapshot.journalSeq;
      this.txns.clock = snapshot.clock;
      for (const c of snapshot.collections) this.loadCollection(c);
    }
    const journals = (await readdir(dir))
      .map((f) => /^journal-(\d+)\.log$/.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const seq of journals) {
      const path = join(dir, journalName(seq));
      if (seq < this.journalSeq) {
        // Left behind by a compaction interrupted after its snapshot was in place.
        await removeFile(path);
        continue;
      }
      const bytes = await readFile(path);
      const { frames, validLength } = readJournalFrames(bytes);
      for (const frame of frames) this.replay(frame);
      if (validLength < bytes.length) await truncate(path, validLength);
      this.journalSeq = seq;
    }
    this.replaying = false;
    this.journal = await Journal.open(join(dir, journalName(this.journalSeq)), this.options.fsync === true);
  }

  private loadCollection(c: SnapshotCollection): void {
    const [db, name] = splitNs(c.ns);
    const coll = this.createCollection(db, name, c.options);
    for (const ix of c.indexes) if (ix.name !== '_id_') coll.addIndex(ix.name, ix.key, ix.options as IndexOptions);
    const ts = this.txns.clock;
    for (const bson of c.docs) coll.loadDocument(bson, ts, coll.isTimeseries ? 'new' : undefined);
  }

  private replay(frame: Document): void {
    if (frame.t === 'w') {
      const ts = numberOf(frame.ts);
      this.txns.clock = Math.max(this.txns.clock, ts);
      for (const op of frame.ops as Document[]) {
        const [db, name] = splitNs(String(op.ns));
        const coll = this.ensureCollection(db, name);
        const old = op.o instanceof Binary ? Buffer.from(op.o.buffer) : undefined;
        if (op.p !== undefined) coll.loadDocument(Buffer.from((op.p as Binary).buffer), ts, op.n === true ? 'new' : old);
        else coll.loadDeletion(op.d, ts, old);
      }
      return;
    }
    const [db, name] = typeof frame.ns === 'string' ? splitNs(frame.ns) : ['', ''];
    switch (frame.op) {
      case 'create':
        if (this.collection(db, name) === undefined) this.createCollection(db, name, frame.options as Document);
        break;
      case 'drop':
        this.dropCollection(db, name);
        break;
      case 'rename': {
        const [fromDb, fromName] = splitNs(String(frame.from));
        const [toDb, toName] = splitNs(String(frame.to));
        const from = this.collection(fromDb, fromName);
        if (from !== undefined) this.renameCollection(from, toDb, toName, true);
        break;
      }
      case 'createIndex': {
        const coll = this.ensureCollection(db, name);
        if (!coll.indexes.has(String(frame.name))) coll.addIndex(String(frame.name), frame.key as Document, frame.options as IndexOptions);
        break;
      }
      case 'dropIndex':
        this.collection(db, name)?.indexes.delete(String(frame.name));
        break;
      case 'setOptions': {
        const coll = this.collection(db, name);
        if (coll !== undefined) {
          for (const [key, value] of Object.entries(frame.options as Document)) {
            if (value === undefined || value === null) delete coll.options[key];
            else coll.options[key] = value;
          }
        }
        break;
      }
      case 'setIndexOptions': {
        const index = this.collection(db, name)?.indexes.get(String(frame.name));
        if (index !== undefined) applyIndexOptions(index.options, frame.options as { prepareUnique?: boolean; unique?: boolean });
        break;
      }
      case 'setExpireAfterSeconds': {
        const index = this.collection(db, name)?.indexes.get(String(frame.name));
        if (index !== undefined) index.options.expireAfterSeconds = numberOf(frame.seconds);
        break;
      }
      default:
        break;
    }
  }

  /**
   * Writes the latest committed state to a new snapshot and starts a new journal file. The state
   * is captured synchronously (document bytes are immutable, so keeping references is enough);
   * commits after that moment go to the new journal, which replays after the snapshot.
   */
  async compact(): Promise<void> {
    const dir = this.options.dbPath;
    if (dir === undefined || this.journal === null) return;
    const oldJournal = this.journal;
    const nextSeq = this.journalSeq + 1;
    this.journal = await Journal.open(join(dir, journalName(nextSeq)), this.options.fsync === true);
    this.journalSeq = nextSeq;
    const collections: SnapshotCollection[] = [];
    for (const colls of this.dbs.values()) {
      for (const coll of colls.values()) {
        collections.push({
          ns: coll.ns,
          options: coll.options,
          indexes: [...coll.indexes.values()].map((ix) => ({ name: ix.name, key: ix.key, options: ix.options as Document })),
          docs: [...coll.latestBson()],
        });
      }
    }
    const clock = this.txns.clock;
    await oldJournal.flush();
    await writeSnapshot(join(dir, SNAPSHOT_FILE), { journalSeq: nextSeq, clock, collections });
    await oldJournal.close();
    await removeFile(oldJournal.path);
  }

  async close(): Promise<void> {
    for (const txn of [...this.txns.openTransactions]) this.txns.abort(txn, 'server shutting down');
    while (this.compacting !== null) await this.compacting;
    if (this.journal !== null) {
      await this.journal.flush();
      await this.compact();
      await this.journal.close();
      this.journal = null;
    }
  }
}

function splitNs(ns: string): [string, string] {
  const dot = ns.indexOf('.');
  return [ns.slice(0, dot), ns.slice(dot + 1)];
}

function validateNamespace(db: string, name: string): void {
  if (db.length === 0 || /[/\\. "$]/.test(db)) throw new MongoCommandError(ErrorCode.InvalidNamespace, `Invalid database name: '${db}'`);
  if (name.length === 0 || name.includes('$') || name.startsWith('.') || name.includes('\0')) {
    throw new MongoCommandError(ErrorCode.InvalidNamespace, `Invalid collection name: ${name}`);
  }
}

/** A stable key for "index `name` of `coll`" in the pending-DDL map. */
interface CollectionIndexRef {
  readonly coll: Collection;
  readonly name: string;
}
const indexRefs = new WeakMap<Collection, Map<string, CollectionIndexRef>>();
function indexRef(coll: Collection, name: string): CollectionIndexRef {
  let refs = indexRefs.get(coll);
  if (refs === undefined) {
    refs = new Map();
    indexRefs.set(coll, refs);
  }
  let ref = refs.get(name);
  if (ref === undefined) {
    ref = { coll, name };
    refs.set(name, ref);
  }
  return ref;
}

function applyIndexOptions(target: IndexOptions, options: { prepareUnique?: boolean; unique?: boolean }): void {
  if (options.prepareUnique !== undefined) {
    if (options.prepareUnique) target.prepareUnique = true;
    else delete target.prepareUnique;
  }
  if (options.unique === true) {
    target.unique = true;
    delete target.prepareUnique;
  }
}
