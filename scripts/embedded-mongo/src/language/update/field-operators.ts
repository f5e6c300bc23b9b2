import { Int32, Long, Timestamp, type Document } from 'bson';
import { ErrorCode, MongoCommandError, badValue } from '../../errors.js';
import { addNumbers, multiplyNumbers } from '../values/arithmetic.js';
import { compareValues, valuesEqual } from '../values/compare.js';
import { NumericWidth, isNumeric, longFromBigInt, longToBigInt, makeNumberOfWidth, numericWidth, toDouble } from '../values/numeric.js';
import { bsonTypeAlias, isPlainDocument } from '../values/type-order.js';
import { applyAddToSet, applyPush } from './array-modifiers.js';
import { describeDocumentId } from './describe.js';
import type { Container, DocumentWriter } from './document-writer.js';
import type { UpdateEntry } from './update-plan.js';

/**
 * What each update operator does to the one field an entry targets, once the walk has reached
 * that field's parent container.
 */
export interface LeafContext {
  writer: DocumentWriter;
  original: Document;
}

function fieldTypeError(operator: string, context: LeafContext, path: readonly string[], value: unknown): MongoCommandError {
  return new MongoCommandError(
    ErrorCode.TypeMismatch,
    `Cannot apply ${operator} to a value of non-numeric type. ${describeDocumentId(context.original)} has the field '${path[path.length - 1]}' of non-numeric type ${bsonTypeAlias(value)}`,
  );
}

function requireArray(operator: string, context: LeafContext, parts: readonly string[], value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (operator === '$addToSet') {
    throw badValue(`Cannot apply $addToSet to non-array field. Field named '${parts[parts.length - 1]}' has non-array type ${bsonTypeAlias(value)}`);
  }
  throw new MongoCommandError(ErrorCode.BadValue, `The field '${parts.join('.')}' must be an array but is of type ${bsonTypeAlias(value)} in document ${describeDocumentId(context.original)}`);
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

export function applyAtLeaf(context: LeafContext, entry: UpdateEntry, container: Container, key: string, parts: readonly string[]): void {
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
      const keep = entry.operator === '$pull' ? current.filter((element) => !entry.pull!(element)) : current.filter((element) => !entry.pullAll!.some((value) => valuesEqual(element, value)));
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
    case '$rename':
      // Planned as a $renameFrom/$renameTo pair (update-plan.ts); never applied as itself.
      throw new Error('$rename reached applyAtLeaf unplanned');
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

export function readLiteralPath(doc: Document, parts: readonly string[]): unknown {
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
