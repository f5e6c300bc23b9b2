/**
 * The document language of the engine: BSON value semantics, query filters, update operators,
 * projections, sorts and the aggregation pipeline. Pure functions over decoded documents; no
 * I/O, no storage. The server (../server) calls only what is exported here.
 *
 * Documents are decoded with `promoteValues: false`, so numbers arrive as bson's Int32, Double,
 * Long and Decimal128 (never plain JS numbers from the wire) and keep their BSON type through
 * every operation. Functions also accept plain JS numbers (treated as double, or int32 when
 * integral and in range is NOT assumed: a plain number is a double) for literals built in code.
 *
 * Contract (signatures are fixed; the server builds against them):
 */
import type { Document } from 'bson';

/** Total order of any two BSON values in MongoDB's comparison/sort order (numbers compare by value across types). */
export declare function compareValues(a: unknown, b: unknown): number;
/** MongoDB equality ($eq semantics without array expansion): Int32(1), Long(1), Double(1.0) are equal; Binary by subtype and bytes. */
export declare function valuesEqual(a: unknown, b: unknown): boolean;
/** The `$type` alias of a value: 'double','string','object','array','binData','undefined','objectId','bool','date','null','regex','javascript','int','timestamp','long','decimal','minKey','maxKey'. */
export declare function bsonTypeAlias(value: unknown): string;

/** The value at a dotted path without array expansion (undefined when missing). */
export declare function getPath(doc: unknown, path: string): unknown;
/**
 * Index keys of a document for a key pattern: one array of key values per index entry
 * (several when a keyed path goes through an array: multikey). A missing field gives null.
 */
export declare function indexKeysFor(doc: Document, keyPattern: Document): unknown[][];

export type Matcher = (doc: Document) => boolean;
/** Compiles a query filter. Throws MongoCommandError (BadValue) naming any unknown or malformed operator. */
export declare function compileFilter(filter: Document): Matcher;

export interface UpdateOptions {
  arrayFilters?: Document[];
  /** True when the update runs as the insert half of an upsert ($setOnInsert applies). */
  isInsert?: boolean;
  /** The query that selected the document: needed for the positional `$` operator. */
  query?: Document;
}
export interface UpdateResult {
  doc: Document;
  modified: boolean;
}
/**
 * Applies an operator update, a replacement document or an update pipeline (array) to a copy of
 * `doc` (never mutates it). Enforces _id immutability and every MongoDB validation error.
 */
export declare function applyUpdate(doc: Document, update: Document | Document[], options?: UpdateOptions): UpdateResult;
/** The document an upsert inserts: equality fields of the query, then the update with isInsert. */
export declare function buildUpsertDocument(query: Document, update: Document | Document[], options?: UpdateOptions): Document;

/** Compiles a find projection (inclusion, exclusion, $slice, $elemMatch, positional, expressions). */
export declare function compileProjection(projection: Document, query?: Document): (doc: Document) => Document;
/** Compiles a sort spec ({a: 1, b: -1}, $meta unsupported → error) into a comparator with MongoDB array sort-key rules. */
export declare function compileSort(sort: Document): (a: Document, b: Document) => number;

export interface PipelineContext {
  /** Documents of another collection of the same database, read in the same snapshot (for $lookup/$unionWith/$graphLookup). */
  getCollection(name: string): Iterable<Document>;
  /** $$NOW / $$CLUSTER_TIME. */
  now: Date;
}
/** Runs an aggregation pipeline. $out/$merge are handled by the server, not here. */
export declare function runPipeline(input: Iterable<Document>, pipeline: Document[], ctx: PipelineContext): Document[];
/** Evaluates an aggregation expression against a document ($expr, pipeline updates). */
export declare function evaluateExpression(expr: unknown, doc: Document, variables?: Record<string, unknown>): unknown;
