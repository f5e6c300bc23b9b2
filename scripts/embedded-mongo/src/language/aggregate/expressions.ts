import { Double, type Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { splitPath } from '../path.js';
import { isPlainDocument } from '../values/type-order.js';
import { expressionError, unsupportedExpression } from './expression-errors.js';
import type { CompiledExpression, OperatorTable, Variables } from './expression-types.js';
import { resolveFieldPath } from './field-path.js';
import { REDACTION_VARIABLES } from './redaction.js';
import { computePercentiles, parsePercentileSpec } from './percentile.js';
import { arithmeticOperators } from './operators/arithmetic.js';
import { arrayOperators, rankedArrayOperators } from './operators/array.js';
import { comparisonOperators } from './operators/comparison.js';
import { conditionalOperators } from './operators/conditional.js';
import { conversionOperators } from './operators/conversion.js';
import { dateOperators } from './operators/date.js';
import { objectOperators } from './operators/object.js';
import { stringOperators } from './operators/string.js';

/**
 * Aggregation expressions compiled once into closures: field paths, `$$variables`, literals,
 * object/array expressions and the operator families registered below.
 */
export type { CompiledExpression, Variables } from './expression-types.js';

const operators: OperatorTable = {
  ...arithmeticOperators,
  ...comparisonOperators,
  ...conditionalOperators,
  ...stringOperators,
  ...arrayOperators,
  ...rankedArrayOperators,
  ...conversionOperators,
  ...dateOperators,
  ...objectOperators,
  $literal: (operand) => () => operand,
  $rand: () => () => new Double(Math.random()),
  $percentile: (operand, compile, name) => compilePercentileExpression(name, operand, compile),
  $median: (operand, compile, name) => compilePercentileExpression(name, operand, compile),
};

/** Real MongoDB expression operators this engine does not implement: named in the error, never ignored. */
const UNSUPPORTED_OPERATORS = new Set(['$function', '$accumulator', '$meta', '$toHashedIndexKey']);

export function compileExpression(expression: unknown): CompiledExpression {
  if (typeof expression === 'string') {
    if (expression.startsWith('$$')) return compileVariable(expression.slice(2));
    if (expression.startsWith('$')) return compileFieldPath(expression.slice(1));
    return () => expression;
  }
  if (Array.isArray(expression)) {
    const elements = expression.map(compileExpression);
    return (current, variables) => elements.map((element) => element(current, variables));
  }
  if (isPlainDocument(expression)) return compileObjectExpression(expression);
  return () => expression;
}

export function evaluateExpression(expression: unknown, doc: Document, variables?: Record<string, unknown>): unknown {
  return compileExpression(expression)(doc, variables);
}

export { isTruthyValue as isTruthy } from './truthiness.js';

function compileFieldPath(path: string): CompiledExpression {
  if (path === '') throw expressionError(16872, "'$' by itself is not a valid FieldPath");
  const parts = splitPath(path);
  if (parts.some((part) => part === '' || part.startsWith('$'))) {
    throw expressionError(16410, `FieldPath field names may not start with '$' or be empty: '$${path}'`);
  }
  return (current) => resolveFieldPath(current, parts, 0);
}

function compileVariable(reference: string): CompiledExpression {
  const parts = splitPath(reference);
  const name = parts[0]!;
  if (name === '') throw expressionError(9, 'empty variable names are not allowed');
  const readVariable = variableReader(name);
  if (parts.length === 1) return readVariable;
  return (current, variables) => resolveFieldPath(readVariable(current, variables), parts, 1);
}

function variableReader(name: string): CompiledExpression {
  switch (name) {
    case 'ROOT':
      return (current, variables) => (variables && 'ROOT' in variables ? variables.ROOT : current);
    case 'CURRENT':
      return (current, variables) => (variables && 'CURRENT' in variables ? variables.CURRENT : current);
    case 'REMOVE':
      return () => undefined;
    case 'NOW':
    case 'CLUSTER_TIME':
      return (_current, variables) => variables?.[name] ?? new Date();
    default:
      if (Object.hasOwn(REDACTION_VARIABLES, name)) {
        const decision = REDACTION_VARIABLES[name];
        return () => decision;
      }
      if (name === 'SEARCH_META' || name === 'USER_ROLES') throw unsupportedExpression(`$$${name}`);
      if (/^[A-Z]/.test(name)) {
        // User variables must start with a lowercase letter; uppercase ones are reserved system names.
        throw expressionError(ErrorCode.FailedToParse, `'${name}' starts with an invalid character for a user variable name`);
      }
      return (_current, variables) => {
        if (!variables || !(name in variables)) throw expressionError(17276, `Use of undefined variable: ${name}`);
        return variables[name];
      };
  }
}

function compileObjectExpression(expression: Record<string, unknown>): CompiledExpression {
  const keys = Object.keys(expression);
  const first = keys[0];
  if (first !== undefined && first.startsWith('$')) {
    if (keys.length !== 1) {
      throw expressionError(15983, `an expression specification must contain exactly one field, the name of the expression. Found ${keys.length} fields in ${JSON.stringify(expression)}`);
    }
    return compileOperator(first, expression[first]);
  }
  const fields = keys.map((key) => {
    if (key.startsWith('$')) throw expressionError(16410, `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
    if (key.includes('.')) throw expressionError(16412, `FieldPath field names may not contain '.'. Consider using $getField or $setField.`);
    return [key, compileExpression(expression[key])] as const;
  });
  return (current, variables) => {
    const result: Record<string, unknown> = {};
    for (const [key, field] of fields) {
      const value = field(current, variables);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };
}

function compileOperator(name: string, operand: unknown): CompiledExpression {
  if (name === '$let') return compileLet(operand);
  const compiler = Object.hasOwn(operators, name) ? operators[name] : undefined;
  if (compiler === undefined) {
    if (UNSUPPORTED_OPERATORS.has(name)) throw unsupportedExpression(name);
    throw new MongoCommandError(ErrorCode.InvalidPipelineOperator, `Unrecognized expression '${name}'`);
  }
  return compiler(operand, compileExpression, name);
}

/** `$let` binds variables for its `in` expression; nested scopes see the outer ones. */
function compileLet(operand: unknown): CompiledExpression {
  if (!isPlainDocument(operand) || !isPlainDocument(operand.vars) || !('in' in operand)) {
    throw expressionError(16467, "$let only supports an object with 'vars' and 'in' fields");
  }
  const bindings = Object.entries(operand.vars).map(([name, value]) => [name, compileExpression(value)] as const);
  const body = compileExpression(operand.in);
  return (current, variables) => {
    const scope: Variables = { ...variables };
    for (const [name, value] of bindings) scope[name] = value(current, variables);
    return body(current, scope);
  };
}

/** Expression form: over an array input's elements, or over the single value. */
function compilePercentileExpression(name: string, operand: unknown, compile: (expression: unknown) => CompiledExpression): CompiledExpression {
  const spec = parsePercentileSpec(name, operand);
  const input = compile(spec.input);
  return (current, variables) => {
    const value = input(current, variables);
    return computePercentiles(Array.isArray(value) ? value : [value], spec);
  };
}
