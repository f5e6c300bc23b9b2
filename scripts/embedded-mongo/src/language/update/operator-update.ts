import { Int32, Long, Timestamp, type Document } from 'bson';
import { ErrorCode, MongoCommandError, badValue, failedToParse } from '../../errors.js';
import { isArrayIndex, splitPath } from '../path.js';
import { addNumbers, multiplyNumbers } from '../values/arithmetic.js';
import { compareValues } from '../values/compare.js';
import { NumericWidth, isNumeric, makeNumberOfWidth, numericWidth, toDouble, longToBigInt, longFromBigInt } from '../values/numeric.js';
import { bsonTypeAlias, isPlainDocument } from '../values/type-order.js';
import { ArrayFilters } from './array-filters.js';
import {
  applyAddToSet,
  applyPush,
  parseAddToSet,
  parsePop,
  parsePullAll,
  parsePullCondition,
  parsePush,
  type PushPlan,
} from './array-modifiers.js';
import { describeDocumentId, describeValue } from './describe.js';
import { DocumentWriter, type Container } from './document-writer.js';
import { resolvePositionalIndex } from './positional.js';
import { valuesEqual } from '../values/compare.js';

/**
 * Operator updates ($set, $inc, $push, ...). An update is parsed once into a plan (cached per
 * update object, since a multi-update applies the same one to many documents), then applied
 * field by field in path order, which is how MongoDB (5.0+) orders newly created fields.
 */
export interface OperatorUpdateOptions {
  arrayFilters?: Document[] | undefined;
  isInsert?: boolean | undefined;
  query?: Document | undefined;
}

type OperatorName =
  | '$set'
  | '$unset'
  | '$inc'
  | '$mul'
  | '$min'
  | '$max'
  | '$rename'
  | '$currentDate'
  | '$setOnInsert'
  | '$push'
  | '$addToSet'
  | '$pop'
  | '$pull'
  | '$pullAll'
  | '$bit';

const OPERATORS = new Set<string>([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$currentDate',
  '$setOnInsert',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$bit',
]);

/** One field modification; $rename contributes two (an unset of the source, a set of the target). */
interface UpdateEntry {
  operator: OperatorName | '$renameFrom' | '$renameTo';
  path: string;
  parts: string[];
  operand: unknown;
  push?: PushPlan;
  addToSet?: unknown[];
  pull?: (element: unknown) => boolean;
  pullAll?: unknown[];
  pop?: 1 | -1;
  renameSource?: string[];
}

interface UpdatePlan {
  entries: UpdateEntry[];
  arrayFilterIdentifiers: Set<string>;
  hasPositional: boolean;
}

const planCache = new WeakMap<Document, UpdatePlan>();

export interface OperatorUpdateOutcome {
  doc: Document;
  changed: boolean;
}

const NO_ARRAY_FILTERS = new ArrayFilters(undefined);

export function applyOperatorUpdate(doc: Document, update: Document, options: OperatorUpdateOptions): OperatorUpdateOutcome {
  let plan = planCache.get(update);
  if (plan === undefined) {
    plan = parseUpdate(update);
    planCache.set(update, plan);
  }
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

function parseUpdate(update: Document): UpdatePlan {
  const entries: UpdateEntry[] = [];
  for (const operator of Object.keys(update)) {
    if (!OPERATORS.has(operator)) {
      throw failedToParse(`Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    const fields = update[operator];
    if (!isPlainDocument(fields)) {
      throw failedToParse(
        `Modifiers operate on fields but we found type ${bsonTypeAlias(fields)} instead. For example: {$mod: {<field>: ...}} not {${operator}: ${describeValue(fields)}}`,
      );
    }
    for (const path of Object.keys(fields)) {
      validateUpdatePath(path);
      entries.push(...parseEntry(operator as OperatorName, path, fields[path]));
    }
  }
  checkConflicts(entries);
  entries.sort((a, b) => comparePaths(a.parts, b.parts));
  const arrayFilterIdentifiers = new Set<string>();
  let hasPositional = false;
  for (const entry of entries) {
    for (const part of entry.parts) {
      if (part === '$') hasPositional = true;
      const identifier = /^\$\[([^\]]+)\]$/.exec(part)?.[1];
      if (identifier !== undefined) arrayFilterIdentifiers.add(identifier);
    }
  }
  return { entries, arrayFilterIdentifiers, hasPositional };
}

function validateUpdatePath(path: string): void {
  if (path === '') throw new MongoCommandError(56, "An empty update path is not valid.");
  const parts = path.split('.');
  if (parts.some((part) => part === '')) {
    throw new MongoCommandError(56, `The update path '${path}' contains an empty field name, which is not allowed.`);
  }
  let positionalCount = 0;
  for (const part of parts) {
    if (part === '$') positionalCount++;
    else if (part.startsWith('$') && !/^\$\[[a-zA-Z0-9]*\]$/.test(part)) {
      throw new MongoCommandError(ErrorCode.DollarPrefixedFieldName, `The dollar ($) prefixed field '${part}' in '${path}' is not valid for storage.`);
    }
  }
  if (positionalCount > 1) throw badValue(`Too many positional (i.e. '$') elements found in path '${path}'`);
  if (parts[0] === '$' || parts[0]!.startsWith('$[')) {
    throw badValue(`Cannot have array filter identifier (i.e. '$[<id>]') element in the first position in path '${path}'`);
  }
}

function parseEntry(operator: OperatorName, path: string, operand: unknown): UpdateEntry[] {
  const parts = splitPath(path);
  const entry: UpdateEntry = { operator, path, parts, operand };
  switch (operator) {
    case '$inc':
    case '$mul':
      if (!isNumeric(operand)) {
        const verb = operator === '$inc' ? 'increment' : 'multiply';
        throw new MongoCommandError(ErrorCode.TypeMismatch, `Cannot ${verb} with non-numeric argument: {${path}: ${describeValue(operand)}}`);
      }
      break;
    case '$currentDate':
      if (!(operand === true || operand === false || (isPlainDocument(operand) && (operand.$type === 'date' || operand.$type === 'timestamp')))) {
        throw badValue(`${describeValue(operand)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
      }
      break;
    case '$push':
      entry.push = parsePush(operand);
      break;
    case '$addToSet':
      entry.addToSet = parseAddToSet(operand);
      break;
    case '$pull':
      entry.pull = parsePullCondition(operand);
      break;
    case '$pullAll':
      entry.pullAll = parsePullAll(operand);
      break;
    case '$pop':
      entry.pop = parsePop(operand);
      break;
    case '$bit':
      parseBit(path, operand);
      break;
    case '$rename': {
      if (typeof operand !== 'string') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${describeValue(operand)}`);
      validateUpdatePath(operand);
      const targetParts = splitPath(operand);
      if (parts.some((part) => part.startsWith('$'))) throw badValue(`The source field for $rename may not be dynamic: ${path}`);
      if (targetParts.some((part) => part.startsWith('$'))) throw badValue(`The destination field for $rename may not be dynamic: ${operand}`);
      if (path === operand) throw badValue(`The source and target field for $rename must differ: ${path}: ${describeValue(operand)}`);
      if (operand.startsWith(`${path}.`) || path.startsWith(`${operand}.`)) {
        throw badValue(`The source and target field for $rename must not be on the same path: ${path}: ${describeValue(operand)}`);
      }
      return [
        { operator: '$renameFrom', path, parts, operand },
        { operator: '$renameTo', path: operand, parts: targetParts, operand, renameSource: parts },
      ];
    }
    default:
      break;
  }
  return [entry];
}

function parseBit(path: string, operand: unknown): void {
  if (!isPlainDocument(operand)) throw badValue(`The $bit modifier is not compatible with a ${bsonTypeAlias(operand)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`);
  for (const [kind, value] of Object.entries(operand)) {
    if (!['and', 'or', 'xor'].includes(kind)) throw badValue(`The $bit modifier only supports 'and', 'or', and 'xor', not '${kind}' which is an unknown operator: {${kind}: ${describeValue(value)}}`);
    const width = numericWidth(value);
    if (width !== NumericWidth.int && width !== NumericWidth.long) {
      throw badValue(`The $bit modifier field must be an Integer(32/64 bit); a '${bsonTypeAlias(value)}' is not supported here: {${kind}: ${describeValue(value)}}`);
    }
  }
  void path;
}

/** Two modifications conflict when one path equals or is a prefix of the other. */
function checkConflicts(entries: UpdateEntry[]): void {
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const a = entries[i]!.parts;
      const b = entries[j]!.parts;
      const shared = Math.min(a.length, b.length);
      let isPrefix = true;
      for (let k = 0; k < shared; k++) {
        if (a[k] !== b[k]) {
          isPrefix = false;
          break;
        }
      }
      if (isPrefix) {
        throw new MongoCommandError(
          ErrorCode.ConflictingUpdateOperators,
          `Updating the path '${entries[j]!.path}' would create a conflict at '${a.slice(0, shared).join('.')}'`,
        );
      }
    }
  }
}

function comparePaths(a: readonly string[], b: readonly string[]): number {
  const shared = Math.min(a.length, b.length);
  for (let i = 0; i < shared; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    if (isArrayIndex(x) && isArrayIndex(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
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

function walkToTargets(
  context: ApplyContext,
  entry: UpdateEntry,
  parts: readonly string[],
  index: number,
  container: Container,
  createMissing: boolean,
): void {
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

function visit(
  context: ApplyContext,
  entry: UpdateEntry,
  parts: readonly string[],
  index: number,
  container: Container,
  key: string,
  isLast: boolean,
  createMissing: boolean,
): void {
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
      throw new MongoCommandError(
        ErrorCode.PathNotViable,
        `Cannot create field '${parts[index + 1]}' in element {${key}: ${describeValue(existing)}}`,
      );
    }
  }
  walkToTargets(context, entry, parts, index + 1, child, createMissing);
}

function fieldTypeError(operator: string, context: ApplyContext, path: readonly string[], value: unknown): MongoCommandError {
  return new MongoCommandError(
    ErrorCode.TypeMismatch,
    `Cannot apply ${operator} to a value of non-numeric type. ${describeDocumentId(context.original)} has the field '${path[path.length - 1]}' of non-numeric type ${bsonTypeAlias(value)}`,
  );
}

function requireArray(operator: string, context: ApplyContext, parts: readonly string[], value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (operator === '$addToSet') {
    throw badValue(`Cannot apply $addToSet to non-array field. Field named '${parts[parts.length - 1]}' has non-array type ${bsonTypeAlias(value)}`);
  }
  throw new MongoCommandError(
    ErrorCode.BadValue,
    `The field '${parts.join('.')}' must be an array but is of type ${bsonTypeAlias(value)} in document ${describeDocumentId(context.original)}`,
  );
}

let lastTimestampSeconds = 0;
let timestampIncrement = 0;

/** $currentDate with {$type: 'timestamp'}: seconds plus an increment that keeps values unique. */
function currentTimestamp(): Timestamp {
  const seconds = Math.floor(Date.now() / 1000);
  if (seconds === lastTimestampSeconds) timestampIncrement++;
  else {
    lastTimestampSeconds = seconds;
    timestampIncrement = 1;
  }
  return new Timestamp({ t: seconds, i: timestampIncrement });
}

function applyAtLeaf(context: ApplyContext, entry: UpdateEntry, container: Container, key: string, parts: readonly string[]): void {
  const writer = context.writer;
  const current = writer.read(container, key);
  switch (entry.operator) {
    case '$set':
    case '$setOnInsert':
      writer.write(container, key, entry.operand);
      return;
    case '$unset':
    case '$renameFrom':
      if (current !== undefined) writer.remove(container, key);
      return;
    case '$renameTo': {
      const moved = readLiteralPath(context.original, entry.renameSource!);
      if (moved !== undefined) writer.write(container, key, moved);
      return;
    }
    case '$inc':
    case '$mul': {
      if (current === undefined) {
        const initial = entry.operator === '$inc' ? entry.operand : makeNumberOfWidth(numericWidth(entry.operand), 0);
        writer.write(container, key, initial);
        return;
      }
      if (!isNumeric(current)) throw fieldTypeError(entry.operator, context, parts, current);
      writer.write(container, key, entry.operator === '$inc' ? addNumbers(current, entry.operand) : multiplyNumbers(current, entry.operand));
      return;
    }
    case '$min':
    case '$max': {
      const order = current === undefined ? 0 : compareValues(entry.operand, current);
      const replaces = current === undefined || (entry.operator === '$min' ? order < 0 : order > 0);
      if (replaces) writer.write(container, key, entry.operand);
      return;
    }
    case '$currentDate': {
      const wantsTimestamp = isPlainDocument(entry.operand) && entry.operand.$type === 'timestamp';
      writer.write(container, key, wantsTimestamp ? currentTimestamp() : new Date());
      return;
    }
    case '$push': {
      const existing = current === undefined ? [] : requireArray('$push', context, parts, current);
      writer.write(container, key, writer.adopt(applyPush(existing, entry.push!)));
      return;
    }
    case '$addToSet': {
      const existing = current === undefined ? [] : requireArray('$addToSet', context, parts, current);
      const result = applyAddToSet(existing, entry.addToSet!);
      if (current === undefined || result.length !== existing.length) writer.write(container, key, writer.adopt(result));
      return;
    }
    case '$pop': {
      if (current === undefined) return;
      if (!Array.isArray(current)) {
        throw new MongoCommandError(ErrorCode.TypeMismatch, `Path '${parts.join('.')}' contains an element of non-array type '${bsonTypeAlias(current)}'`);
      }
      if (current.length === 0) return;
      writer.write(container, key, writer.adopt(entry.pop === 1 ? current.slice(0, -1) : current.slice(1)));
      return;
    }
    case '$pull':
    case '$pullAll': {
      if (current === undefined) return;
      if (!Array.isArray(current)) throw badValue('Cannot apply $pull to a non-array value');
      const keep =
        entry.operator === '$pull'
          ? current.filter((element) => !entry.pull!(element))
          : current.filter((element) => !entry.pullAll!.some((value) => valuesEqual(element, value)));
      if (keep.length !== current.length) writer.write(container, key, writer.adopt(keep));
      return;
    }
    case '$bit': {
      const base = current === undefined ? new Int32(0) : current;
      const width = numericWidth(base);
      if (width !== NumericWidth.int && width !== NumericWidth.long) {
        throw badValue(`Cannot apply $bit to a value of non-integral type.${describeDocumentId(context.original)} has the field ${key} of non-integer type ${bsonTypeAlias(base)}`);
      }
      writer.write(container, key, applyBit(base, entry.operand as Record<string, unknown>));
      return;
    }
  }
}

function applyBit(base: unknown, operations: Record<string, unknown>): unknown {
  let value = BigInt(numericWidth(base) === NumericWidth.long ? longToBigInt(base as Long) : toDouble(base));
  let isLong = numericWidth(base) === NumericWidth.long;
  for (const [kind, operandValue] of Object.entries(operations)) {
    const operandIsLong = numericWidth(operandValue) === NumericWidth.long;
    const operand = operandIsLong ? longToBigInt(operandValue as Long) : BigInt(toDouble(operandValue));
    isLong ||= operandIsLong;
    value = kind === 'and' ? value & operand : kind === 'or' ? value | operand : value ^ operand;
  }
  return isLong ? longFromBigInt(BigInt.asIntN(64, value)) : new Int32(Number(BigInt.asIntN(32, value)));
}

function readLiteralPath(doc: Document, parts: readonly string[]): unknown {
  let current: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(current)) {
      throw badValue(`The source field cannot be an array element, '${parts.join('.')}' in doc with ${describeDocumentId(doc)} has an array field called '${part}'`);
    }
    if (!isPlainDocument(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, part) ? current[part] : undefined;
  }
  return current;
}
