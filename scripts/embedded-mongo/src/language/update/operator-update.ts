import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, badValue } from '../../errors.js';
import { ArrayFilters } from './array-filters.js';
import { describeValue } from './describe.js';
import { DocumentWriter, type Container } from './document-writer.js';
import { applyAtLeaf, readLiteralPath } from './field-operators.js';
import { resolvePositionalIndex } from './positional.js';
import { updatePlanFor, type UpdateEntry } from './update-plan.js';

/**
 * Applies an operator update ($set, $inc, $push, ...) to a copy-on-write view of a document:
 * resolves the positional `$` from the query, expands `$[]` and `$[id]` over array elements,
 * creates missing parents where the operator does, and hands each target field to its operator.
 */
export interface OperatorUpdateOptions {
  arrayFilters?: Document[] | undefined;
  isInsert?: boolean | undefined;
  query?: Document | undefined;
}

export interface OperatorUpdateOutcome {
  doc: Document;
  changed: boolean;
}

const NO_ARRAY_FILTERS = new ArrayFilters(undefined);

export function applyOperatorUpdate(doc: Document, update: Document, options: OperatorUpdateOptions): OperatorUpdateOutcome {
  const plan = updatePlanFor(update);
  const hasArrayFilters = options.arrayFilters !== undefined && options.arrayFilters.length > 0;
  const arrayFilters = hasArrayFilters ? new ArrayFilters(options.arrayFilters) : NO_ARRAY_FILTERS;
  for (const identifier of plan.arrayFilterIdentifiers) {
    const entry = plan.entries.find((candidate) => candidate.parts.includes(`$[${identifier}]`))!;
    arrayFilters.requireDefined(identifier, entry.path);
  }
  arrayFilters.requireAllUsed(plan.arrayFilterIdentifiers, () => describeValue(update));
  const writer = new DocumentWriter(doc);
  const context: ApplyContext = { writer, arrayFilters, original: doc, isInsert: options.isInsert === true };
  for (const entry of plan.entries) {
    if (entry.operator === '$setOnInsert' && !context.isInsert) continue;
    const parts = plan.hasPositional ? resolvePositional(entry, doc, options.query) : entry.parts;
    applyEntry(context, entry, parts);
  }
  return { doc: writer.root, changed: writer.changed };
}

interface ApplyContext {
  writer: DocumentWriter;
  arrayFilters: ArrayFilters;
  original: Document;
  isInsert: boolean;
}

function resolvePositional(entry: UpdateEntry, doc: Document, query: Document | undefined): string[] {
  const index = entry.parts.indexOf('$');
  if (index < 0) return entry.parts;
  const position = resolvePositionalIndex(doc, entry.parts.slice(0, index), query);
  const resolved = [...entry.parts];
  resolved[index] = String(position);
  return resolved;
}

/** Operators that create missing parents on the way; the others are no-ops on a missing path. */
function createsMissingPath(entry: UpdateEntry): boolean {
  switch (entry.operator) {
    case '$unset':
    case '$pop':
    case '$pull':
    case '$pullAll':
    case '$renameFrom':
      return false;
    default:
      return true;
  }
}

function applyEntry(context: ApplyContext, entry: UpdateEntry, parts: readonly string[]): void {
  // A rename of a missing field does nothing, not even create the target's parents.
  if (entry.operator === '$renameTo' && readLiteralPath(context.original, entry.renameSource!) === undefined) return;
  walkToTargets(context, entry, parts, 0, context.writer.root, createsMissingPath(entry));
}

function walkToTargets(context: ApplyContext, entry: UpdateEntry, parts: readonly string[], index: number, container: Container, createMissing: boolean): void {
  const part = parts[index]!;
  const isLast = index === parts.length - 1;
  if (part.startsWith('$[')) {
    if (!Array.isArray(container)) {
      throw badValue(`The path '${parts.slice(0, index).join('.')}' must exist in the document in order to apply array updates.`);
    }
    const identifier = part.slice(2, -1);
    for (let position = 0; position < container.length; position++) {
      if (identifier !== '' && !context.arrayFilters.matches(identifier, entry.path, container[position])) continue;
      visit(context, entry, parts, index, container, String(position), isLast, createMissing);
    }
    return;
  }
  visit(context, entry, parts, index, container, part, isLast, createMissing);
}

function visit(context: ApplyContext, entry: UpdateEntry, parts: readonly string[], index: number, container: Container, key: string, isLast: boolean, createMissing: boolean): void {
  if (isLast) {
    applyAtLeaf(context, entry, container, key, parts);
    return;
  }
  const writer = context.writer;
  const existing = writer.read(container, key);
  let child: Container | undefined;
  if (existing === undefined || existing === null) {
    if (!createMissing) return;
    if (existing === null) {
      throw new MongoCommandError(ErrorCode.PathNotViable, `Cannot create field '${parts[index + 1]}' in element {${key}: null}`);
    }
    if (parts[index + 1]!.startsWith('$[')) {
      throw badValue(`The path '${parts.slice(0, index + 1).join('.')}' must exist in the document in order to apply array updates.`);
    }
    child = writer.createChild(container, key);
  } else {
    child = writer.ownedChild(container, key);
    if (child === undefined) {
      if (!createMissing) return;
      throw new MongoCommandError(ErrorCode.PathNotViable, `Cannot create field '${parts[index + 1]}' in element {${key}: ${describeValue(existing)}}`);
    }
  }
  walkToTargets(context, entry, parts, index + 1, child, createMissing);
}
