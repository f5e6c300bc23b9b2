import { EJSON } from 'bson';

/**
 * Values rendered for error messages, close to the way the server prints them
 * (`{_id: 1}` rather than JSON with quoted keys is not worth imitating exactly).
 */
export function describeValue(value: unknown): string {
  try {
    const text = EJSON.stringify(value as never, { relaxed: true });
    return Array.isArray(value) || (typeof value === 'object' && value !== null) ? text.replace(/^[{[]|[}\]]$/g, '') : text;
  } catch {
    return String(value);
  }
}

export function describeDocumentId(doc: Record<string, unknown>): string {
  return Object.hasOwn(doc, '_id') ? `{_id: ${EJSON.stringify(doc._id as never, { relaxed: true })}}` : '{}';
}
