import { isPlainDocument } from '../../values/type-order.js';
import { expressionError, requireArgumentCount } from '../expression-errors.js';
import { operandList, type OperatorTable } from '../expression-types.js';
import { isTruthyValue } from '../truthiness.js';

/** Boolean and conditional expressions: $and $or $not $cond $ifNull $switch. */
export const conditionalOperators: OperatorTable = {
  $and: (operand, compile) => {
    const args = operandList(operand).map(compile);
    return (current, variables) => args.every((arg) => isTruthyValue(arg(current, variables)));
  },
  $or: (operand, compile) => {
    const args = operandList(operand).map(compile);
    return (current, variables) => args.some((arg) => isTruthyValue(arg(current, variables)));
  },
  $not: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => !isTruthyValue(arg(current, variables));
  },
  $cond: (operand, compile) => {
    let parts: unknown[];
    if (Array.isArray(operand)) {
      if (operand.length !== 3) throw expressionError(16020, `Expression $cond takes exactly 3 arguments. ${operand.length} were passed in.`);
      parts = operand;
    } else if (isPlainDocument(operand)) {
      for (const key of Object.keys(operand)) {
        if (!['if', 'then', 'else'].includes(key)) throw expressionError(17083, `Unrecognized parameter to $cond: ${key}`);
      }
      if (!('if' in operand)) throw expressionError(17080, "Missing 'if' parameter to $cond");
      if (!('then' in operand)) throw expressionError(17081, "Missing 'then' parameter to $cond");
      if (!('else' in operand)) throw expressionError(17082, "Missing 'else' parameter to $cond");
      parts = [operand.if, operand.then, operand.else];
    } else {
      throw expressionError(16020, 'Expression $cond takes exactly 3 arguments. 1 were passed in.');
    }
    const [condition, whenTrue, whenFalse] = parts.map(compile) as [ReturnType<typeof compile>, ReturnType<typeof compile>, ReturnType<typeof compile>];
    return (current, variables) => (isTruthyValue(condition(current, variables)) ? whenTrue(current, variables) : whenFalse(current, variables));
  },
  $ifNull: (operand, compile) => {
    const args = operandList(operand);
    if (args.length < 2) throw expressionError(1257300, '$ifNull needs at least two arguments, had: ' + args.length);
    const compiled = args.map(compile);
    return (current, variables) => {
      for (let i = 0; i < compiled.length - 1; i++) {
        const value = compiled[i]!(current, variables);
        if (value !== null && value !== undefined) return value;
      }
      return compiled[compiled.length - 1]!(current, variables);
    };
  },
  $switch: (operand, compile) => {
    if (!isPlainDocument(operand)) throw expressionError(40060, '$switch requires an object as an argument');
    if (!Array.isArray(operand.branches)) throw expressionError(40061, "$switch expected an array for 'branches'");
    const branches = operand.branches.map((branch: unknown) => {
      if (!isPlainDocument(branch)) throw expressionError(40062, '$switch expected each branch to be an object');
      if (!('case' in branch)) throw expressionError(40064, "$switch requires each branch have a 'case' expression");
      if (!('then' in branch)) throw expressionError(40065, "$switch requires each branch have a 'then' expression");
      return [compile(branch.case), compile(branch.then)] as const;
    });
    const fallback = 'default' in operand ? compile(operand.default) : undefined;
    return (current, variables) => {
      for (const [test, result] of branches) if (isTruthyValue(test(current, variables))) return result(current, variables);
      if (fallback === undefined) {
        throw expressionError(40066, '$switch could not find a matching branch for an input, and no default was specified.');
      }
      return fallback(current, variables);
    };
  },
};
