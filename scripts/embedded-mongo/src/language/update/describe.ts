import { EJSON, type ObjectId } from 'bson';
import { BsonType, bsonTypeCode } from '../values/type-order.js';
import { toDouble } from '../values/numeric.js';

/**
 * Values rendered for error messages the way the server prints them (`{_id: ObjectId('…')}`,
 * numbers bare, strings quoted), so messages read like MongoDB's.
 */
export function describeValue(value: unknown): string {
  const text = render(value);
  // Callers wrap documents and arrays in their own braces, as the server's messages do.
  return typeof value === 'object' && value !== null && (Array.isArray(value) || bsonTypeCode(value) === BsonType.object) ? text.slice(1, -1) : text;
}

export function describeDocumentId(doc: Record<string, unknown>): string {
  return Object.hasOwn(doc, '_id') ? `{_id: ${render(doc._id)}}` : '{}';
}

function render(value: unknown): string {
  switch (bsonTypeCode(value)) {
    case BsonType.string:
      return JSON.stringify(value);
    case BsonType.int:
    case BsonType.double:
      return String(toDouble(value));
    case BsonType.long:
      return String(value);
    case BsonType.null:
      return 'null';
    case BsonType.bool:
      return String(value);
    case BsonType.objectId:
      return `ObjectId('${(value as ObjectId).toHexString()}')`;
    case BsonType.array:
      return `[ ${(value as unknown[]).map(render).join(', ')} ]`;
    case BsonType.object:
      return `{ ${Object.entries(value as object)
        .map(([key, field]) => `${key}: ${render(field)}`)
        .join(', ')} }`;
    default:
      try {
        return EJSON.stringify(value as never, { relaxed: true });
      } catch {
        return String(value);
      }
  }
}
