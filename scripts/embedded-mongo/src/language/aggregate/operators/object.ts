import { Int32, Long, serialize, type Binary, type Timestamp } from 'bson';
import { ownField, setOwnField } from '../../path.js';
import { BsonType, bsonTypeCode, isPlainDocument } from '../../values/type-order.js';
import { expressionError, requireArgumentCount, typeNameForError } from '../expression-errors.js';
import { operandList, type CompiledExpression, type CompileExpression, type OperatorTable } from '../expression-types.js';

/** Object expressions: $mergeObjects, $objectToArray, $arrayToObject, $getField/$setField/$unsetField, sizes and timestamp parts. */
export const objectOperators: OperatorTable = {
  $mergeObjects: (operand, compile) => {
    const args = operandList(operand).map(compile);
    return (current, variables) => {
      const merged: Record<string, unknown> = {};
      for (const arg of args) {
        const value = arg(current, variables);
        if (value === null || value === undefined) continue;
        if (!isPlainDocument(value)) throw expressionError(40400, `$mergeObjects requires object inputs, but input is of type ${typeNameForError(value)}`);
        for (const [key, field] of Object.entries(value)) setOwnField(merged, key, field);
      }
      return merged;
    };
  },
  $objectToArray: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      if (value === null || value === undefined) return null;
      if (!isPlainDocument(value)) throw expressionError(40390, `$objectToArray requires a document input, found: ${typeNameForError(value)}`);
      return Object.entries(value).map(([k, v]) => ({ k, v }));
    };
  },
  $arrayToObject: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      if (value === null || value === undefined) return null;
      if (!Array.isArray(value)) throw expressionError(40386, `$arrayToObject requires an array input, found: ${typeNameForError(value)}`);
      const result: Record<string, unknown> = {};
      for (const entry of value) {
        if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string') setOwnField(result, entry[0], entry[1]);
        else if (isPlainDocument(entry) && typeof entry.k === 'string' && 'v' in entry) setOwnField(result, entry.k, entry.v);
        else throw expressionError(40398, '$arrayToObject requires an array of key-value pairs ({k, v} documents or [key, value] arrays)');
      }
      return result;
    };
  },
  $setField: (operand, compile) => fieldWriter('$setField', operand, compile, true),
  $unsetField: (operand, compile) => fieldWriter('$unsetField', operand, compile, false),
  $bsonSize: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      if (value === null || value === undefined) return null;
      if (!isPlainDocument(value)) throw expressionError(31393, `$bsonSize requires a document input, found: ${typeNameForError(value)}`);
      // serialize, not calculateObjectSize: bson 6's calculateObjectSize miscounts Int32/Double wrappers.
      return new Int32(serialize(value).length);
    };
  },
  $binarySize: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      if (value === null || value === undefined) return null;
      if (typeof value === 'string') return new Int32(Buffer.byteLength(value, 'utf8'));
      if (bsonTypeCode(value) === BsonType.binData) return new Int32((value as Binary).position);
      throw expressionError(51276, `$binarySize requires a string or BinData argument, found: ${typeNameForError(value)}`);
    };
  },
  $tsSecond: (operand, compile, name) => timestampPart(name, operand, compile, (timestamp) => timestamp.high >>> 0),
  $tsIncrement: (operand, compile, name) => timestampPart(name, operand, compile, (timestamp) => timestamp.low >>> 0),
  $getField: (operand, compile) => {
    const spec = isPlainDocument(operand) && 'field' in operand ? operand : { field: operand };
    // A constant name may contain '.' or start with '$' (that is the point of $getField); an
    // expression must evaluate to a string.
    const constant = constantFieldName(spec.field);
    const field: CompiledExpression = constant !== undefined ? () => constant : compile(spec.field);
    const input = compile('input' in spec ? spec.input : '$$CURRENT');
    return (current, variables) => {
      const name = field(current, variables);
      if (typeof name !== 'string') throw expressionError(3041704, `$getField requires 'field' to evaluate to type String, but got ${typeNameForError(name)}`);
      const value = input(current, variables);
      if (value === null || value === undefined) return null;
      if (!isPlainDocument(value)) return undefined;
      return ownField(value, name);
    };
  },
};

/** The constant name of $setField/$unsetField: a string, or `{$literal: string}` (how a name starting with '$' is written). */
function constantFieldName(field: unknown): string | undefined {
  if (typeof field === 'string') return field;
  if (isPlainDocument(field) && Object.keys(field).length === 1 && typeof field.$literal === 'string') return field.$literal;
  return undefined;
}

/** $setField/$unsetField with a constant field name (which may contain '.' or start with '$'). */
function fieldWriter(name: string, operand: unknown, compile: CompileExpression, isSet: boolean): CompiledExpression {
  const field = isPlainDocument(operand) ? constantFieldName(operand.field) : undefined;
  if (!isPlainDocument(operand) || field === undefined || !('input' in operand) || (isSet && !('value' in operand))) {
    throw expressionError(4161102, `${name} requires 'field' (a constant string) and 'input'${isSet ? " and 'value'" : ''}`);
  }
  const input = compile(operand.input);
  const value = isSet ? compile(operand.value) : undefined;
  return (current, variables) => {
    const target = input(current, variables);
    if (target === null || target === undefined) return null;
    if (!isPlainDocument(target)) throw expressionError(4161105, `${name} requires 'input' to evaluate to type Object`);
    const result: Record<string, unknown> = { ...target };
    const newValue = value?.(current, variables);
    // Setting $$REMOVE removes the field, like $unsetField.
    if (newValue === undefined) delete result[field];
    else result[field] = newValue;
    return result;
  };
}

function timestampPart(name: string, operand: unknown, compile: CompileExpression, part: (timestamp: Timestamp) => number): CompiledExpression {
  const args = operandList(operand);
  requireArgumentCount(name, args, 1);
  const arg = compile(args[0]);
  return (current, variables) => {
    const value = arg(current, variables);
    if (value === null || value === undefined) return null;
    if (bsonTypeCode(value) !== BsonType.timestamp) throw expressionError(5687301, `${name} expects argument of type timestamp but received ${typeNameForError(value)}`);
    return Long.fromNumber(part(value as Timestamp));
  };
}
