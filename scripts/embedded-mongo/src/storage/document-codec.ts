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
    throw new MongoCommandError(ErrorCode.BSONObjectTooLarge, `BSONObj size: ${bytes.length} (0x${bytes.length.toString(16).toUpperCase()}) is invalid. Size must be between 0 and 16793600(16MB)`);
  }
  return retainBytes(bytes);
}

/**
 * A long-lived copy of document bytes. BSON.serialize returns a buffer with its own ArrayBuffer
 * (~250 bytes of overhead for a small document); `Buffer.allocUnsafe` carves small buffers out of
 * Node's shared 8 KB pool instead, which is most of the difference between ~1.2 KB and well under
 * 1 KB per stored document. The bytes are always fully overwritten, so "unsafe" is safe here.
 */
export function retainBytes(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length);
  out.set(bytes);
  return out;
}
