import { compareValues } from '../../values/compare.js';
import { requireArgumentCount } from '../expression-errors.js';
import { operandList, type CompiledExpression, type OperatorCompiler, type OperatorTable } from '../expression-types.js';
import { Int32 } from 'bson';

/**
 * Comparison expressions use the full BSON order across types (unlike query operators, which
 * stay within a type bracket), and a missing value sorts below null: `{$eq: ['$missing', null]}`
 * is false.
 */
export function compareExpressionValues(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) {
    if (a === b) return 0;
    const other = a === undefined ? b : a;
    const otherIsMinKey = typeof other === 'object' && other !== null && (other as { _bsontype?: string })._bsontype === 'MinKey';
    const missingFirst = otherIsMinKey ? 1 : -1;
    return a === undefined ? missingFirst : -missingFirst;
  }
  return compareValues(a, b);
}

function comparison(test: (order: number) => boolean): OperatorCompiler {
  return (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 2);
    const left = compile(args[0]);
    const right = compile(args[1]);
    return (current, variables) => test(compareExpressionValues(left(current, variables), right(current, variables)));
  };
}

const compareToInt: OperatorCompiler = (operand, compile, name) => {
  const args = operandList(operand);
  requireArgumentCount(name, args, 2);
  const left = compile(args[0]);
  const right = compile(args[1]);
  const compiled: CompiledExpression = (current, variables) => {
    const order = compareExpressionValues(left(current, variables), right(current, variables));
    return new Int32(order < 0 ? -1 : order > 0 ? 1 : 0);
  };
  return compiled;
};

export const comparisonOperators: OperatorTable = {
  $eq: comparison((order) => order === 0),
  $ne: comparison((order) => order !== 0),
  $gt: comparison((order) => order > 0),
  $gte: comparison((order) => order >= 0),
  $lt: comparison((order) => order < 0),
  $lte: comparison((order) => order <= 0),
  $cmp: compareToInt,
};
