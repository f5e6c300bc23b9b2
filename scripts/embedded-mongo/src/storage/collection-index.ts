import type { Document } from 'bson';
// Namespace import: the language functions arrive incrementally, and a named import of a
// not-yet-implemented function would fail the whole module graph at link time.
import * as language from '../language/index.js';
import { BTree } from './btree.js';

/** An index entry: the key values in key-pattern order, then the record id (makes every entry unique). */
export type IndexEntry = unknown[];

export interface IndexField {
  path: string;
  /** 1 ascending, -1 descending. */
  direction: 1 | -1;
}

export interface IndexOptions {
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
  /** collMod's first step towards unique: new duplicate keys are refused, existing ones stay. */
  prepareUnique?: boolean;
}

/**
 * One index of a collection: its definition and its ordered entries. Entries may outlive the
 * version that produced them while an open snapshot can still read that version, so readers
 * re-check an entry against the version they see (see query-executor).
 */
export class CollectionIndex {
  readonly fields: IndexField[];
  readonly tree: BTree<IndexEntry>;
  readonly partialFilter: language.Matcher | null;
  /** Set once any document produced more than one entry: such an index cannot bound two sides of a range or give sort order. */
  multikey = false;

  constructor(
    readonly name: string,
    readonly key: Document,
    readonly options: IndexOptions,
  ) {
    this.fields = Object.entries(key).map(([path, dir]) => ({ path, direction: directionOf(dir) }));
    this.partialFilter = options.partialFilterExpression ? language.compileFilter(options.partialFilterExpression) : null;
    this.tree = new BTree<IndexEntry>((a, b) => this.compareEntries(a, b));
  }

  get unique(): boolean {
    return this.options.unique === true;
  }

  /** Whether a write adding a key another document has fails with DuplicateKey (unique or prepareUnique). */
  get refusesDuplicates(): boolean {
    return this.options.unique === true || this.options.prepareUnique === true;
  }

  get isIdIndex(): boolean {
    return this.name === '_id_';
  }

  /** The listIndexes form of the definition. */
  describe(): Document {
    const spec: Document = { v: 2, key: this.key, name: this.name };
    if (this.options.unique && !this.isIdIndex) spec.unique = true;
    if (this.options.sparse) spec.sparse = true;
    if (this.options.partialFilterExpression) spec.partialFilterExpression = this.options.partialFilterExpression;
    if (this.options.expireAfterSeconds !== undefined) spec.expireAfterSeconds = this.options.expireAfterSeconds;
    if (this.options.prepareUnique === true) spec.prepareUnique = true;
    return spec;
  }

  /** Entries a document version contributes (none when sparse/partial exclude it). */
  entriesFor(doc: Document, rid: number): IndexEntry[] {
    if (this.options.sparse && this.fields.every((f) => language.getPath(doc, f.path) === undefined && !pathCrossesArray(doc, f.path))) {
      return [];
    }
    if (this.partialFilter !== null && !this.partialFilter(doc)) return [];
    const keys = language.indexKeysFor(doc, this.key);
    if (keys.length > 1) this.multikey = true;
    return keys.map((k) => {
      const entry = new Array<unknown>(k.length + 1);
      for (let i = 0; i < k.length; i++) entry[i] = compactKeyValue(k[i]);
      entry[k.length] = rid;
      return entry;
    });
  }

  compareEntries(a: IndexEntry, b: IndexEntry): number {
    const n = this.fields.length;
    for (let i = 0; i < n; i++) {
      const c = language.compareValues(a[i], b[i]);
      if (c !== 0) return c * this.fields[i]!.direction;
    }
    return (a[n] as number) - (b[n] as number);
  }

  /** Compares the first `prefix.length` key values of an entry with a prefix, in index order. */
  comparePrefix(entry: IndexEntry, prefix: unknown[]): number {
    for (let i = 0; i < prefix.length; i++) {
      const c = language.compareValues(entry[i], prefix[i]);
      if (c !== 0) return c * this.fields[i]!.direction;
    }
    return 0;
  }

  /** True when the two entries have the same key values (record ids ignored). */
  sameKey(a: IndexEntry, b: IndexEntry): boolean {
    for (let i = 0; i < this.fields.length; i++) if (language.compareValues(a[i], b[i]) !== 0) return false;
    return true;
  }

  ridOf(entry: IndexEntry): number {
    return entry[this.fields.length] as number;
  }

  /** The key values of an entry as a document, e.g. for keyValue of a duplicate key error. */
  keyValueOf(entry: IndexEntry): Document {
    const out: Document = {};
    this.fields.forEach((f, i) => {
      out[f.path] = entry[i];
    });
    return out;
  }

  /** All entries with the same key as `entry` (any record). */
  *entriesWithKey(entry: IndexEntry): Generator<IndexEntry> {
    const prefix = entry.slice(0, this.fields.length);
    yield* this.tree.scan(
      1,
      (k) => this.comparePrefix(k, prefix) < 0,
      (k) => this.comparePrefix(k, prefix) > 0,
    );
  }
}

/**
 * Index keys are compared by value across numeric types, so an Int32 or Double key (and a Long
 * within 2^53) is kept as a plain JS number: one wrapper object less per entry, which matters at
 * a million entries per index. Larger Longs and Decimal128 keep their exact type.
 */
function compactKeyValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const type = (v as { _bsontype?: string })._bsontype;
  if (type === 'Int32' || type === 'Double') return (v as { value: number }).value;
  if (type === 'Long') {
    const n = (v as { toNumber(): number }).toNumber();
    if (Number.isSafeInteger(n)) return n;
  }
  return v;
}

function directionOf(value: unknown): 1 | -1 {
  const n = typeof value === 'number' ? value : Number((value as { valueOf(): unknown })?.valueOf?.());
  return n < 0 ? -1 : 1;
}

/** Sparse indexes keep documents where the path reaches into an array even when the leaf is missing. */
function pathCrossesArray(doc: Document, path: string): boolean {
  const dot = path.indexOf('.');
  if (dot < 0) return false;
  const head = language.getPath(doc, path.slice(0, dot));
  return Array.isArray(head);
}
