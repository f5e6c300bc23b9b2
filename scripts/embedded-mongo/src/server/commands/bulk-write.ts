import { type Document, Long } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { numberOf } from '../../storage/numeric-value.js';
import { ensureCollectionFor, letVariables } from '../command-arguments.js';
import { type CommandContext, documentsArgument } from '../command-context.js';
import { receivedBytesOf } from '../wire-protocol.js';
import { runWriteBatch, runWriteStatement } from '../write-statement.js';
import { deleteDocuments } from './delete.js';
import { validateId } from './insert.js';
import { checkSortArgument, isReplacement, sortWithMulti, updateDocuments, validateUpdateKeys, type UpdateSpec } from './update.js';

/**
 * MongoDB 8.0's `bulkWrite` (admin only; `client.bulkWrite` in the driver): inserts, updates and
 * deletes across namespaces in one command. Each op names its namespace by index into `nsInfo`.
 * The whole command is checked before any op runs (as mongod does); then the ops run with the
 * batch rules of the write commands (`ordered`, a transaction stops at its first failure). The
 * reply carries the counters and, through a cursor, one result per op (only the failed ones with
 * `errorsOnly`).
 */

/** Fields of the command besides the generic arguments every command may carry. */
const COMMAND_FIELDS = new Set(['bulkWrite', 'ops', 'nsInfo', 'ordered', 'errorsOnly', 'bypassDocumentValidation', 'let', 'cursor', 'comment']);

/** MongoDB's generic command arguments (generic_argument.idl) a driver or shell may add to any command. */
const GENERIC_ARGUMENTS = new Set([
  '$db',
  'lsid',
  'txnNumber',
  'autocommit',
  'startTransaction',
  'stmtId',
  'writeConcern',
  'readConcern',
  'maxTimeMS',
  '$clusterTime',
  '$readPreference',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'clientOperationKey',
  '$audit',
  '$client',
  'mayBypassWriteBlocking',
  'rawData',
  'maxTimeMSOpOnly',
  'readOnly',
]);

/** The fields each kind of op may have (its first key names the kind and holds the nsInfo index). */
const OP_FIELDS: Record<OpKind, Set<string>> = {
  insert: new Set(['insert', 'document']),
  update: new Set(['update', 'filter', 'updateMods', 'multi', 'upsert', 'arrayFilters', 'hint', 'collation', 'sort', 'constants', 'upsertSupplied']),
  delete: new Set(['delete', 'filter', 'multi', 'hint', 'collation']),
};

/** hello's maxWriteBatchSize: the driver splits larger client bulk writes into several commands. */
const MAX_WRITE_BATCH_SIZE = 100_000;

type OpKind = 'insert' | 'update' | 'delete';

interface Namespace {
  db: string;
  collection: string;
}

interface Op {
  kind: OpKind;
  ns: Namespace;
  body: Document;
}

interface Counters {
  nErrors: number;
  nInserted: number;
  nMatched: number;
  nModified: number;
  nUpserted: number;
  nDeleted: number;
}

export async function bulkWrite(ctx: CommandContext): Promise<Document> {
  if (ctx.db !== 'admin') throw new MongoCommandError(ErrorCode.Unauthorized, 'bulkWrite may only be run against the admin database.');
  checkCommandFields(ctx.body);
  const namespaces = documentsArgument(ctx, 'nsInfo').map(parseNamespace);
  const ops = documentsArgument(ctx, 'ops').map((op) => parseOp(op, namespaces));
  if (ops.length === 0 || ops.length > MAX_WRITE_BATCH_SIZE) {
    throw new MongoCommandError(ErrorCode.InvalidLength, `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}. Got ${ops.length} operations.`);
  }
  const errorsOnly = ctx.body.errorsOnly === true;
  const variables = letVariables(ctx.body, 'bulkWrite');
  const counters: Counters = { nErrors: 0, nInserted: 0, nMatched: 0, nModified: 0, nUpserted: 0, nDeleted: 0 };
  const results: Document[] = [];
  const writeErrors = await runWriteBatch(ctx, ops, async (op, idx) => {
    const result = await runOp(ctx, op, variables, counters);
    if (!errorsOnly) results.push({ ok: 1, idx, ...result });
  });
  counters.nErrors = writeErrors.length;
  for (const error of writeErrors) results.push(failedOpResult(error, ops[error.index as number]!.kind));
  results.sort((a, b) => (a.idx as number) - (b.idx as number));
  return { cursor: { id: Long.ZERO, firstBatch: results, ns: 'admin.$cmd.bulkWrite' }, ...counters, ok: 1 };
}

/** Unknown top-level fields are refused, as mongod's IDL parser does. */
function checkCommandFields(body: Document): void {
  for (const field of Object.keys(body)) {
    if (!COMMAND_FIELDS.has(field) && !GENERIC_ARGUMENTS.has(field)) throw unknownField(`bulkWrite.${field}`);
  }
  for (const field of ['ordered', 'errorsOnly', 'bypassDocumentValidation']) {
    const value: unknown = body[field];
    if (value !== undefined && typeof value !== 'boolean') throw wrongType(`bulkWrite.${field}`, value, 'bool');
  }
}

function parseNamespace(entry: Document): Namespace {
  const ns: unknown = entry.ns;
  if (ns === undefined) throw new MongoCommandError(ErrorCode.Location40414, "BSON field 'bulkWrite.nsInfo.ns' is missing but a required field");
  if (typeof ns !== 'string') throw wrongType('bulkWrite.nsInfo.ns', ns, 'string');
  const dot = ns.indexOf('.');
  if (dot <= 0 || dot === ns.length - 1 || ns.includes('$') || ns.includes('\0')) {
    throw new MongoCommandError(ErrorCode.InvalidNamespace, `Invalid namespace specified for bulkWrite: '${ns}'`);
  }
  return { db: ns.slice(0, dot), collection: ns.slice(dot + 1) };
}

function parseOp(op: Document, namespaces: Namespace[]): Op {
  const first = Object.keys(op)[0];
  if (first !== 'insert' && first !== 'update' && first !== 'delete') {
    if (first === undefined) throw new MongoCommandError(ErrorCode.BadValue, 'BulkWrite ops entry {} does not contain a supported operation type');
    throw unknownField(`bulkWrite.${first}`);
  }
  const kind: OpKind = first;
  for (const field of Object.keys(op)) if (!OP_FIELDS[kind].has(field)) throw unknownField(`bulkWrite.ops.${field}`);
  const index: unknown = op[kind];
  const n = numberOf(index);
  if (typeof index === 'boolean' || Number.isNaN(n)) throw wrongType(`bulkWrite.ops.${kind}`, index, '[long, int, decimal, double]');
  if (n < 0) throw new MongoCommandError(ErrorCode.BadValue, `BSON field '${kind}' value must be >= 0, actual value '${n}'`);
  const ns = Number.isInteger(n) ? namespaces[n] : undefined;
  if (ns === undefined) throw new MongoCommandError(ErrorCode.BadValue, `BulkWrite ops entry ${JSON.stringify(op)} has an invalid nsInfo index.`);
  checkOpShape(kind, op);
  return { kind, ns, body: op };
}

/** The required fields and their types, checked before any op runs. */
function checkOpShape(kind: OpKind, op: Document): void {
  const required = kind === 'insert' ? ['document'] : kind === 'update' ? ['filter', 'updateMods'] : ['filter'];
  for (const field of required) {
    if (op[field] === undefined) throw new MongoCommandError(ErrorCode.Location40414, `BSON field 'bulkWrite.ops.${field}' is missing but a required field`);
  }
  for (const field of ['document', 'filter']) {
    const value: unknown = op[field];
    if (value !== undefined && !isPlainDocument(value)) throw wrongType(`bulkWrite.ops.${field}`, value, 'object');
  }
  for (const field of ['multi', 'upsert']) {
    const value: unknown = op[field];
    if (value !== undefined && typeof value !== 'boolean') throw wrongType(`bulkWrite.ops.${field}`, value, 'bool');
  }
  if (kind === 'update') {
    const mods: unknown = op.updateMods;
    if (!isPlainDocument(mods) && !Array.isArray(mods)) throw new MongoCommandError(ErrorCode.FailedToParse, 'Update argument must be either an object or an array');
    checkSortArgument(op.sort, 'bulkWrite.ops.sort');
  }
  const hint: unknown = op.hint;
  if (hint !== undefined && typeof hint !== 'string' && !isPlainDocument(hint)) throw new MongoCommandError(ErrorCode.FailedToParse, 'Hint must be a string or an object');
  language.parseCollation(op.collation);
}

/** Runs one op; answers the fields of its result entry (`n`, `nModified`, `upserted`). */
async function runOp(ctx: CommandContext, op: Op, variables: Record<string, unknown> | undefined, counters: Counters): Promise<Document> {
  const { db, collection } = op.ns;
  const body = op.body;
  const collation = language.parseCollation(body.collation);
  switch (op.kind) {
    case 'insert': {
      const doc = body.document as Document;
      validateId(doc);
      const coll = ensureCollectionFor(ctx, collection, db);
      const received = receivedBytesOf(doc);
      await runWriteStatement(ctx, (txn) => coll.insert(txn, doc, received));
      counters.nInserted++;
      return { n: 1 };
    }
    case 'delete': {
      const coll = ctx.state.engine.collection(db, collection);
      const limit = body.multi === true ? 0 : 1;
      const n = coll === undefined ? 0 : await runWriteStatement(ctx, (txn) => deleteDocuments(coll, txn, { filter: body.filter as Document, limit, hint: body.hint, variables, collation }));
      counters.nDeleted += n;
      return { n };
    }
    case 'update': {
      const spec = updateSpecOf(body, variables);
      if (collation !== undefined) spec.collation = collation;
      const coll = ensureCollectionFor(ctx, collection, db);
      const result = await runWriteStatement(ctx, (txn) => updateDocuments(coll, txn, spec));
      counters.nMatched += result.matched;
      counters.nModified += result.modified;
      if (result.upsertedId === undefined) return { n: result.matched, nModified: result.modified };
      counters.nUpserted++;
      return { n: 1, nModified: 0, upserted: { _id: result.upsertedId } };
    }
  }
}

/** An update op as an update statement: `updateMods` is `u`, `constants` are `c` (pipeline variables beside `let`). */
function updateSpecOf(body: Document, variables: Record<string, unknown> | undefined): UpdateSpec {
  const update = body.updateMods as Document | Document[];
  const multi = body.multi === true;
  if (!Array.isArray(update)) validateUpdateKeys(update);
  if (multi && !Array.isArray(update) && isReplacement(update)) {
    throw new MongoCommandError(ErrorCode.FailedToParse, 'multi update is not supported for replacement-style update');
  }
  if (multi && body.sort !== undefined) throw sortWithMulti();
  const constants = isPlainDocument(body.constants) ? (body.constants as Record<string, unknown>) : undefined;
  const spec: UpdateSpec = { query: body.filter as Document, update, upsert: body.upsert === true, multi };
  if (Array.isArray(body.arrayFilters)) spec.arrayFilters = body.arrayFilters as Document[];
  if (body.hint !== undefined) spec.hint = body.hint;
  if (body.sort !== undefined) spec.sort = body.sort as Document;
  if (variables !== undefined || constants !== undefined) spec.variables = { ...variables, ...constants };
  return spec;
}

/** A failed op's entry: the write error's fields, and the counters of its kind at zero. */
function failedOpResult(error: Document, kind: OpKind): Document {
  const { index, ...fields } = error;
  return { ok: 0, idx: index, ...fields, n: 0, ...(kind === 'update' ? { nModified: 0 } : {}) };
}

function isPlainDocument(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { _bsontype?: string })._bsontype === undefined && !(value instanceof Date) && !(value instanceof RegExp);
}

function unknownField(path: string): MongoCommandError {
  return new MongoCommandError(ErrorCode.Location40415, `BSON field '${path}' is an unknown field.`);
}

function wrongType(path: string, value: unknown, expected: string): MongoCommandError {
  const actual = Array.isArray(value)
    ? 'array'
    : value === null
      ? 'null'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'int'
          : 'double'
        : typeof value === 'boolean'
          ? 'bool'
          : typeof value;
  return new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${path}' is the wrong type '${actual}', expected type${expected.startsWith('[') ? 's' : ''} '${expected}'`);
}
