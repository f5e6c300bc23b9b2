import type { Document } from 'bson';
import { setOwnField, splitPath } from '../../path.js';
import { isPlainDocument } from '../../values/type-order.js';

/**
 * Sets a dotted path on a copy of a document, the way $addFields does: missing or scalar
 * parents become subdocuments, arrays of subdocuments get the field set in every element, and
 * an undefined value ($$REMOVE) removes the field.
 */
export function setFieldPath(doc: Document, path: string, value: unknown): Document {
  return setIn(doc, splitPath(path), 0, value) as Document;
}

function setIn(container: unknown, parts: string[], index: number, value: unknown): unknown {
  if (Array.isArray(container)) return container.map((element) => setIn(element, parts, index, value));
  const base: Record<string, unknown> = isPlainDocument(container) ? { ...container } : {};
  const key = parts[index]!;
  if (index === parts.length - 1) {
    if (value === undefined) delete base[key];
    else setOwnField(base, key, value);
    return base;
  }
  const child = base[key];
  if (value === undefined && child === undefined) return base;
  setOwnField(base, key, setIn(Array.isArray(child) || isPlainDocument(child) ? child : {}, parts, index + 1, value));
  return base;
}
