import { BSON, type Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';

/** MongoDB's limit for one stored document. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

const DESERIALIZE_OPTIONS = { promoteValues: false } as const;

/**
 * Decodes stored bytes. `promoteValues: false` keeps Int32/Long/Double/Decimal128 as their bson
 * classes, so a document read back has exactly the numeric types that were written.
 */
export function decodeDocument(bson: Uint8Array): Document {
  return BSON.deserialize(bson, DESERIALIZE_OPTIONS);
}

export function encodeDocument(doc: Document): Buffer {
  const bytes = BSON.serialize(doc, { checkKeys: false, ignoreUndefined: false });
  if (bytes.length > MAX_BSON_OBJECT_SIZE) {
    throw new MongoCommandError(
      ErrorCode.BSONObjectTooLarge,
      `BSONObj size: ${bytes.length} (0x${bytes.length.toString(16).toUpperCase()}) is invalid. Size must be between 0 and 16793600(16MB)`,
    );
  }
  // BSON.serialize returns a view of a fresh buffer; keep it as a Buffer without copying.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
