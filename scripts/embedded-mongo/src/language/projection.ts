import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, badValue } from '../errors.js';
import { compileExpression, type CompiledExpression } from './aggregate/expressions.js';
import { compileElementCondition } from './filter.js';
import { getPathParts, setOwnField, splitPath } from './path.js';
import { resolvePositionalIndex } from './update/positional.js';
import { isNumeric, toDouble, toExactInteger } from './values/numeric.js';
import { isPlainDocument } from './values/type-order.js';

/**
 * Projections for find (inclusion, exclusion, $slice, $elemMatch, positional `.$`, computed
 * fields) and for the aggregation stage $project, which shares the inclusion/exclusion rules
 * but reads `{$slice: ...}` as an expression. Inclusion keeps the document's field order, with
 * computed fields after it, as MongoDB does.
 */
type ProjectionNode = { kind: 'include' } | { kind: 'exclude' } | { kind: 'tree'; children: Map<string, ProjectionNode> };

interface FieldOperator {
  field: string;
  parts: string[];
  apply: (value: unknown, doc: Document) => { keep: boolean; value?: unknown };
}

interface ComputedField {
  parts: string[];
  expression: CompiledExpression;
}

export type ProjectionFlavor = 'find' | 'aggregate';

export function compileProjection(projection: Document, query?: Document): (doc: Document) => Document {
  return compileProjectionOf(projection, 'find', query);
}

export function compileProjectionOf(projection: Document, flavor: ProjectionFlavor, query?: Document): (doc: Document, variables?: Record<string, unknown>) => Document {
  if (!isPlainDocument(projection)) throw badValue('projection must be an object');
  const root = new Map<string, ProjectionNode>();
  const computed: ComputedField[] = [];
  const operators: FieldOperator[] = [];
  let mode: 'inclusion' | 'exclusion' | undefined;
  let idSetting: 'include' | 'exclude' | undefined;
  let positional: { arrayParts: string[] } | undefined;

  const setMode = (wanted: 'inclusion' | 'exclusion', path: string): void => {
    if (mode !== undefined && mode !== wanted) {
      throw new MongoCommandError(
        wanted === 'exclusion' ? 31254 : 31253,
        wanted === 'exclusion' ? `Cannot do exclusion on field ${path} in inclusion projection` : `Cannot do inclusion on field ${path} in exclusion projection`,
      );
    }
    mode = wanted;
  };

  for (const rawPath of Object.keys(projection)) {
    const spec = projection[rawPath];
    if (rawPath === '' || rawPath.startsWith('$')) {
      throw new MongoCommandError(ErrorCode.BadValue, `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
    }
    if (flavor === 'find' && rawPath.endsWith('.$')) {
      const arrayPath = rawPath.slice(0, -2);
      if (positional !== undefined) throw badValue('Cannot specify more than one positional projection per query.');
      setMode('inclusion', rawPath);
      positional = { arrayParts: splitPath(arrayPath) };
      insertNode(root, splitPath(arrayPath), { kind: 'include' }, rawPath);
      continue;
    }
    if (flavor === 'find' && isPlainDocument(spec) && Object.keys(spec).length === 1 && (Object.hasOwn(spec, '$slice') || Object.hasOwn(spec, '$elemMatch'))) {
      operators.push(parseFieldOperator(rawPath, spec));
      // $elemMatch is an inclusion (only _id and the matched element come back); $slice alone keeps every field.
      if (Object.hasOwn(spec, '$elemMatch') && mode !== 'exclusion') {
        mode = 'inclusion';
        insertNode(root, splitPath(rawPath), { kind: 'include' }, rawPath);
      }
      continue;
    }
    if (isPlainDocument(spec) && Object.hasOwn(spec, '$meta')) {
      throw new MongoCommandError(ErrorCode.NotImplemented, `$meta projection is not supported by embedded-mongo`);
    }
    const isFlag = typeof spec === 'boolean' || isNumeric(spec);
    if (isFlag) {
      const include = typeof spec === 'boolean' ? spec : toDouble(spec) !== 0;
      if (rawPath === '_id') {
        idSetting = include ? 'include' : 'exclude';
        continue;
      }
      setMode(include ? 'inclusion' : 'exclusion', rawPath);
      insertNode(root, splitPath(rawPath), { kind: include ? 'include' : 'exclude' }, rawPath);
      continue;
    }
    if (flavor === 'aggregate' && isPlainDocument(spec) && !Object.keys(spec)[0]?.startsWith('$') && Object.keys(spec).length > 0) {
      // Nested projection spec: {a: {b: 1}} is the same as {'a.b': 1}.
      const nested = flattenNested(rawPath, spec);
      for (const [path, value] of nested) {
        if (typeof value === 'boolean' || isNumeric(value)) {
          const include = typeof value === 'boolean' ? value : toDouble(value) !== 0;
          setMode(include ? 'inclusion' : 'exclusion', path);
          insertNode(root, splitPath(path), { kind: include ? 'include' : 'exclude' }, path);
        } else {
          setMode('inclusion', path);
          computed.push({ parts: splitPath(path), expression: compileExpression(value) });
          insertNode(root, splitPath(path), { kind: 'include' }, path, true);
        }
      }
      continue;
    }
    setMode('inclusion', rawPath);
    computed.push({ parts: splitPath(rawPath), expression: compileExpression(spec) });
    insertNode(root, splitPath(rawPath), { kind: 'include' }, rawPath, true);
  }

  if (flavor === 'aggregate' && mode === undefined && idSetting === undefined && operators.length === 0) {
    throw new MongoCommandError(51272, 'Invalid $project :: caused by :: projection specification must have at least one field');
  }
  // `{_id: 1}` alone is an inclusion projection of just _id; `{_id: 0}` alone an exclusion.
  if (mode === undefined && idSetting === 'include' && computed.length === 0) mode = 'inclusion';
  const includeId = idSetting !== 'exclude';
  const positionalMatcher = positional && query ? positional : undefined;
  if (positional && !query) {
    throw badValue('Executor error during find command :: caused by :: positional operator (.$) requires corresponding field in query specifier');
  }

  const computedPaths = new Set(computed.map((field) => field.parts.join('.')));
  return (doc, variables) => {
    let result: Document;
    if (mode === 'inclusion') {
      result = includeFields(doc, root) as Document;
      if (includeId && Object.hasOwn(doc, '_id') && !computedPaths.has('_id')) result = { _id: doc._id, ...withoutId(result) };
      else if (!includeId) delete result._id;
    } else {
      result = mode === 'exclusion' ? (excludeFields(doc, root) as Document) : { ...doc };
      if (!includeId) delete result._id;
    }
    for (const field of computed) {
      const value = field.expression(doc, variables);
      setComputed(result, field.parts, value);
    }
    if (positionalMatcher) {
      const index = resolvePositionalIndexForProjection(doc, positionalMatcher.arrayParts, query!);
      setComputed(result, positionalMatcher.arrayParts, index === undefined ? undefined : [index.value]);
    }
    // A computed _id still comes first, as MongoDB outputs it.
    if (computedPaths.has('_id') && Object.hasOwn(result, '_id') && Object.keys(result)[0] !== '_id') {
      result = { _id: result._id, ...withoutId(result) };
    }
    for (const operator of operators) {
      const outcome = operator.apply(getPathParts(doc, operator.parts), doc);
      if (!outcome.keep) setComputed(result, operator.parts, undefined);
      else if (outcome.value !== undefined || mode === 'inclusion') setComputed(result, operator.parts, outcome.value);
    }
    return result;
  };
}

function resolvePositionalIndexForProjection(doc: Document, arrayParts: string[], query: Document): { value: unknown } | undefined {
  let index: number;
  try {
    index = resolvePositionalIndex(doc, arrayParts, query);
  } catch {
    return undefined;
  }
  let array: unknown = doc;
  for (const part of arrayParts) array = (array as Record<string, unknown>)[part];
  return { value: (array as unknown[])[index] };
}

function withoutId(doc: Document): Document {
  const { _id, ...rest } = doc;
  void _id;
  return rest;
}

function flattenNested(prefix: string, spec: Record<string, unknown>): [string, unknown][] {
  const result: [string, unknown][] = [];
  for (const [key, value] of Object.entries(spec)) {
    const path = `${prefix}.${key}`;
    if (isPlainDocument(value) && Object.keys(value).length > 0 && !Object.keys(value)[0]!.startsWith('$')) {
      result.push(...flattenNested(path, value));
    } else {
      result.push([path, value]);
    }
  }
  return result;
}

function insertNode(root: Map<string, ProjectionNode>, parts: string[], leaf: ProjectionNode, path: string, isComputed = false): void {
  let children = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const existing = children.get(part);
    if (i === parts.length - 1) {
      if (existing !== undefined) {
        throw new MongoCommandError(31250, `Path collision at ${path}`);
      }
      // A computed field only claims its path; its value is written after the inclusion pass.
      if (!isComputed) children.set(part, leaf);
      return;
    }
    if (existing === undefined) {
      const node: ProjectionNode = { kind: 'tree', children: new Map() };
      children.set(part, node);
      children = node.children;
    } else if (existing.kind === 'tree') {
      children = existing.children;
    } else {
      throw new MongoCommandError(31249, `Path collision at ${path} remaining portion ${parts.slice(i + 1).join('.')}`);
    }
  }
}

function includeFields(value: unknown, children: Map<string, ProjectionNode>): unknown {
  if (Array.isArray(value)) {
    const result: unknown[] = [];
    for (const element of value) {
      if (Array.isArray(element) || isPlainDocument(element)) result.push(includeFields(element, children));
    }
    return result;
  }
  const doc = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) {
    const node = children.get(key);
    if (node === undefined) continue;
    if (node.kind === 'include') {
      setOwnField(result, key, doc[key]);
    } else if (node.kind === 'tree') {
      const child = doc[key];
      if (Array.isArray(child) || isPlainDocument(child)) setOwnField(result, key, includeFields(child, node.children));
    }
  }
  return result;
}

function excludeFields(value: unknown, children: Map<string, ProjectionNode>): unknown {
  if (Array.isArray(value)) {
    return value.map((element) => (Array.isArray(element) || isPlainDocument(element) ? excludeFields(element, children) : element));
  }
  const doc = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) {
    const node = children.get(key);
    if (node === undefined) setOwnField(result, key, doc[key]);
    else if (node.kind === 'tree') {
      const child = doc[key];
      setOwnField(result, key, Array.isArray(child) || isPlainDocument(child) ? excludeFields(child, node.children) : child);
    }
  }
  return result;
}

/** Writes a computed value at a path, creating subdocuments; an undefined value ($$REMOVE) removes the field. */
function setComputed(target: Record<string, unknown>, parts: string[], value: unknown): void {
  let container = target;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const existing = container[part];
    if (isPlainDocument(existing)) {
      const copy = { ...existing };
      container[part] = copy;
      container = copy;
    } else {
      if (value === undefined) return;
      const created: Record<string, unknown> = {};
      container[part] = created;
      container = created;
    }
  }
  const leaf = parts[parts.length - 1]!;
  if (value === undefined) delete container[leaf];
  else container[leaf] = value;
}

function parseFieldOperator(path: string, spec: Record<string, unknown>): FieldOperator {
  const parts = splitPath(path);
  if (parts.length > 1 && Object.hasOwn(spec, '$elemMatch')) throw badValue('Cannot use $elemMatch projection on a nested field.');
  if (Object.hasOwn(spec, '$elemMatch')) {
    const condition = spec.$elemMatch;
    if (!isPlainDocument(condition)) throw badValue('elemMatch: Invalid argument, object required.');
    const matches = compileElementCondition(condition);
    return {
      field: path,
      parts,
      apply: (value) => {
        if (!Array.isArray(value)) return { keep: false };
        const found = value.find((element) => matches(element));
        return found === undefined ? { keep: false } : { keep: true, value: [found] };
      },
    };
  }
  const slice = spec.$slice;
  let skip: number | undefined;
  let limit: number;
  if (Array.isArray(slice)) {
    if (slice.length !== 2) throw badValue('$slice array wrong size');
    const [first, second] = slice.map((item) => (isNumeric(item) ? toExactInteger(item) : undefined));
    if (first === undefined || second === undefined) throw badValue('$slice array must contain integers');
    if (second <= 0n) throw badValue('$slice limit must be positive');
    skip = Number(first);
    limit = Number(second);
  } else {
    const count = isNumeric(slice) ? toExactInteger(slice) : undefined;
    if (count === undefined) throw badValue('$slice only supports numbers and [skip, limit] arrays');
    limit = Number(count);
  }
  return {
    field: path,
    parts,
    apply: (value) => {
      if (!Array.isArray(value)) return { keep: true, value };
      if (skip === undefined) return { keep: true, value: limit >= 0 ? value.slice(0, limit) : value.slice(Math.max(0, value.length + limit)) };
      const start = skip >= 0 ? Math.min(skip, value.length) : Math.max(0, value.length + skip);
      return { keep: true, value: value.slice(start, start + limit) };
    },
  };
}
