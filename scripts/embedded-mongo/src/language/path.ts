import { isPlainDocument } from './values/type-order.js';

/**
 * Dotted field paths ('a.b.0.c') and MongoDB's two ways of reading them: literally
 * (`getPath`, no array expansion) and with implicit traversal of arrays (`anyValueAlongPath`),
 * which is how query predicates, sort keys and index keys see a document.
 */

const pathCache = new Map<string, string[]>();
const PATH_CACHE_LIMIT = 10_000;

export function splitPath(path: string): string[] {
  let parts = pathCache.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    if (pathCache.size < PATH_CACHE_LIMIT) pathCache.set(path, parts);
  }
  return parts;
}

/** A canonical array index ('0', '12', not '01' or '-1'), as MongoDB recognises them in paths. */
export function isArrayIndex(part: string): boolean {
  const length = part.length;
  if (length === 0 || length > 9) return false;
  for (let i = 0; i < length; i++) {
    const code = part.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return length === 1 || part.charCodeAt(0) !== 48;
}

/**
 * Reads an own field. Documents are plain objects, so names such as 'constructor' would
 * otherwise resolve to Object.prototype members.
 */
export function ownField(container: object, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(container, name) ? (container as Record<string, unknown>)[name] : undefined;
}

export function getPath(doc: unknown, path: string): unknown {
  return getPathParts(doc, splitPath(path));
}

export function getPathParts(doc: unknown, parts: readonly string[]): unknown {
  let current = doc;
  for (const part of parts) {
    if (Array.isArray(current)) {
      if (!isArrayIndex(part)) return undefined;
      current = current[Number(part)];
    } else if (isPlainDocument(current)) {
      current = ownField(current, part);
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/**
 * Calls `visit` for each value the path reaches with MongoDB's implicit array traversal, and
 * stops at the first `true`. A path through an array visits each subdocument element; a
 * numeric component also indexes the array. A leaf that is an array is visited as a whole and
 * then element by element when `expandLeafArrays` is set. When the path reaches nothing, `visit`
 * sees `undefined` (missing) once, which is how `{a: null}` matches a missing field.
 */
export function anyValueAlongPath(doc: unknown, parts: readonly string[], expandLeafArrays: boolean, visit: (value: unknown) => boolean): boolean {
  const state = { reachedAny: false };
  if (walk(doc, parts, 0, expandLeafArrays, visit, state)) return true;
  return state.reachedAny ? false : visit(undefined);
}

function walk(current: unknown, parts: readonly string[], index: number, expandLeafArrays: boolean, visit: (value: unknown) => boolean, state: { reachedAny: boolean }): boolean {
  if (index === parts.length) {
    if (current === undefined) return false;
    state.reachedAny = true;
    if (visit(current)) return true;
    if (expandLeafArrays && Array.isArray(current)) {
      for (const element of current) if (visit(element)) return true;
    }
    return false;
  }
  const part = parts[index]!;
  if (Array.isArray(current)) {
    if (isArrayIndex(part)) {
      const position = Number(part);
      if (position < current.length && walk(current[position], parts, index + 1, expandLeafArrays, visit, state)) return true;
    }
    for (const element of current) {
      if (isPlainDocument(element) && walk(element, parts, index, expandLeafArrays, visit, state)) return true;
    }
    return false;
  }
  if (isPlainDocument(current)) {
    const next = ownField(current, part);
    if (next === undefined) {
      // A subdocument without the field is a missing value, so `{'a.b': null}` matches `a: [{c: 1}]`.
      state.reachedAny = true;
      return visit(undefined);
    }
    return walk(next, parts, index + 1, expandLeafArrays, visit, state);
  }
  return false;
}

/** Every value along the path with array expansion, leaf arrays expanded (sort keys, index keys). */
export function collectValuesAlongPath(doc: unknown, parts: readonly string[]): { values: unknown[]; throughArray: boolean } {
  const values: unknown[] = [];
  const state = { throughArray: false };
  collect(doc, parts, 0, values, state);
  return { values, throughArray: state.throughArray };
}

function collect(current: unknown, parts: readonly string[], index: number, values: unknown[], state: { throughArray: boolean }): void {
  if (index === parts.length) {
    if (current === undefined) return;
    if (Array.isArray(current)) {
      state.throughArray = true;
      for (const element of current) values.push(element);
      if (current.length === 0) values.push(EMPTY_ARRAY);
    } else {
      values.push(current);
    }
    return;
  }
  const part = parts[index]!;
  if (Array.isArray(current)) {
    state.throughArray = true;
    if (isArrayIndex(part)) {
      const position = Number(part);
      if (position < current.length) collect(current[position], parts, index + 1, values, state);
      return;
    }
    for (const element of current) {
      if (isPlainDocument(element)) collect(element, parts, index, values, state);
      else values.push(null);
    }
    return;
  }
  if (isPlainDocument(current)) {
    const next = ownField(current, part);
    if (next === undefined) values.push(null);
    else collect(next, parts, index + 1, values, state);
    return;
  }
  values.push(null);
}

/** Marks an empty array at the end of a path: it sorts below null and is indexed as `undefined`. */
export const EMPTY_ARRAY: unique symbol = Symbol('empty array');

/**
 * Writes an own field. Field names come from stored documents, and assigning `__proto__` with
 * `=` would replace the object's prototype instead of creating the field.
 */
export function setOwnField(target: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
  else target[name] = value;
}
