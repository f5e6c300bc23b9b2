import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, badValue, failedToParse } from '../../errors.js';
import { isArrayIndex, splitPath } from '../path.js';
import { NumericWidth, isNumeric, numericWidth } from '../values/numeric.js';
import { bsonTypeAlias, isPlainDocument } from '../values/type-order.js';
import { parseAddToSet, parsePop, parsePullAll, parsePullCondition, parsePush, type PushPlan } from './array-modifiers.js';
import { describeValue } from './describe.js';

/**
 * An operator update parsed and validated once: every field modification as an entry, checked
 * for conflicting paths and sorted by path (MongoDB 5.0+ applies fields in that order, which
 * decides where new fields land). Cached per update object, since a multi-update applies the
 * same one to many documents.
 */
export type OperatorName = '$set' | '$unset' | '$inc' | '$mul' | '$min' | '$max' | '$rename' | '$currentDate' | '$setOnInsert' | '$push' | '$addToSet' | '$pop' | '$pull' | '$pullAll' | '$bit';

const OPERATORS = new Set<string>(['$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$currentDate', '$setOnInsert', '$push', '$addToSet', '$pop', '$pull', '$pullAll', '$bit']);

/** One field modification; $rename contributes two (an unset of the source, a set of the target). */
export interface UpdateEntry {
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

export interface UpdatePlan {
  entries: UpdateEntry[];
  arrayFilterIdentifiers: Set<string>;
  hasPositional: boolean;
}

/*
 * One-entry cache: a multi-update applies the same update object to every matched document,
 * so remembering the last one saves the re-parse. A WeakMap keyed by every update object was
 * tried first and cost more in garbage collection (ephemeron tables) than the parsing it saved.
 */
let lastUpdate: Document | undefined;
let lastPlan: UpdatePlan | undefined;

export function updatePlanFor(update: Document): UpdatePlan {
  if (update === lastUpdate && lastPlan !== undefined) return lastPlan;
  const plan = parseUpdate(update);
  lastUpdate = update;
  lastPlan = plan;
  return plan;
}

function parseUpdate(update: Document): UpdatePlan {
  const entries: UpdateEntry[] = [];
  for (const operator of Object.keys(update)) {
    if (!OPERATORS.has(operator)) {
      throw failedToParse(`Unknown modifier: ${operator}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    const fields = update[operator];
    if (!isPlainDocument(fields)) {
      throw failedToParse(`Modifiers operate on fields but we found type ${bsonTypeAlias(fields)} instead. For example: {$mod: {<field>: ...}} not {${operator}: ${describeValue(fields)}}`);
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
      if (part.charCodeAt(0) !== 36) continue;
      if (part === '$') hasPositional = true;
      const identifier = /^\$\[([^\]]+)\]$/.exec(part)?.[1];
      if (identifier !== undefined) arrayFilterIdentifiers.add(identifier);
    }
  }
  return { entries, arrayFilterIdentifiers, hasPositional };
}

function validateUpdatePath(path: string): void {
  if (path === '') throw new MongoCommandError(56, 'An empty update path is not valid.');
  // The common path ('balance', 'a.b') has no '$' and no empty component: nothing to check.
  if (!path.includes('$') && !path.includes('..') && path[0] !== '.' && path[path.length - 1] !== '.') return;
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
      parseBit(operand);
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

function parseBit(operand: unknown): void {
  if (!isPlainDocument(operand)) throw badValue(`The $bit modifier is not compatible with a ${bsonTypeAlias(operand)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`);
  for (const [kind, value] of Object.entries(operand)) {
    if (!['and', 'or', 'xor'].includes(kind)) throw badValue(`The $bit modifier only supports 'and', 'or', and 'xor', not '${kind}' which is an unknown operator: {${kind}: ${describeValue(value)}}`);
    const width = numericWidth(value);
    if (width !== NumericWidth.int && width !== NumericWidth.long) {
      throw badValue(`The $bit modifier field must be an Integer(32/64 bit); a '${bsonTypeAlias(value)}' is not supported here: {${kind}: ${describeValue(value)}}`);
    }
  }
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
        throw new MongoCommandError(ErrorCode.ConflictingUpdateOperators, `Updating the path '${entries[j]!.path}' would create a conflict at '${a.slice(0, shared).join('.')}'`);
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
