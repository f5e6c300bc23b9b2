import { type Document, ObjectId } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';

/**
 * The DuplicateKey (11000) error in MongoDB's exact shape: drivers and application code match on
 * `code`, read `keyPattern`/`keyValue`, and people grep the `E11000 ...` message.
 */
export function duplicateKeyError(ns: string, indexName: string, keyPattern: Document, keyValue: Document): MongoCommandError {
  const shown = Object.entries(keyValue)
    .map(([k, v]) => `${k}: ${formatValue(v)}`)
    .join(', ');
  return new MongoCommandError(ErrorCode.DuplicateKey, `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: { ${shown} }`, { extra: { keyPattern, keyValue } });
}

/** Values printed the way the server's log formatter does for the common types. */
function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof ObjectId) return `ObjectId('${v.toHexString()}')`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  const bsonType = (v as { _bsontype?: string })._bsontype;
  if (bsonType === 'Int32' || bsonType === 'Double' || bsonType === 'Long' || bsonType === 'Decimal128') return String(v);
  if (bsonType !== undefined) return String(v);
  if (typeof v === 'object') {
    return `{ ${Object.entries(v as Document)
      .map(([k, x]) => `${k}: ${formatValue(x)}`)
      .join(', ')} }`;
  }
  return String(v);
}
