import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { ownField } from '../../path.js';
import { isPlainDocument } from '../../values/type-order.js';
import { expressionError, requireArgumentCount, typeNameForError } from '../expression-errors.js';
import { operandList, type OperatorTable } from '../expression-types.js';

/** Object expressions: $mergeObjects, $objectToArray, $arrayToObject, $getField. */
export const objectOperators: OperatorTable = {
  $mergeObjects: (operand, compile) => {
    const args = operandList(operand).map(compile);
    return (current, variables) => {
      const merged: Record<string, unknown> = {};
      for (const arg of args) {
        const value = arg(current, variables);
        if (value === null || value === undefined) continue;
        if (!isPlainDocument(value)) throw expressionError(40400, `$mergeObjects requires object inputs, but input is of type ${typeNameForError(value)}`);
        Object.assign(merged, value);
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
        if (Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string') result[entry[0]] = entry[1];
        else if (isPlainDocument(entry) && typeof entry.k === 'string' && 'v' in entry) result[entry.k] = entry.v;
        else throw expressionError(40398, '$arrayToObject requires an array of key-value pairs ({k, v} documents or [key, value] arrays)');
      }
      return result;
    };
  },
  $getField: (operand, compile) => {
    const spec = isPlainDocument(operand) && 'field' in operand ? operand : { field: operand };
    if (typeof spec.field !== 'string') {
      throw new MongoCommandError(ErrorCode.NotImplemented, '$getField with a computed field name is not supported by embedded-mongo');
    }
    const field = spec.field;
    const input = compile('input' in spec ? spec.input : '$$CURRENT');
    return (current, variables) => {
      const value = input(current, variables);
      if (value === null || value === undefined) return null;
      if (!isPlainDocument(value)) return undefined;
      return ownField(value, field);
    };
  },
};
