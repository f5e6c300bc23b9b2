import type { Document } from 'bson';
import { badValue, failedToParse } from '../../errors.js';
import { compileElementCondition, equalityPredicate } from '../filter.js';
import { compileSort } from '../sort.js';
import { isRegexValue, regexFromValue } from '../regex.js';
import { compareValues, valuesEqual } from '../values/compare.js';
import { isNumeric, toDouble, toExactInteger } from '../values/numeric.js';
import { bsonTypeAlias, isPlainDocument } from '../values/type-order.js';

/**
 * The array update operators' operands, parsed once per update: `$push` with its modifiers
 * ($each, $position, $sort, $slice), `$addToSet` with $each, `$pull` conditions and `$pullAll`.
 */
export interface PushPlan {
  values: unknown[];
  position: number | undefined;
  slice: number | undefined;
  sort: ((a: unknown, b: unknown) => number) | undefined;
}

const PUSH_MODIFIERS = new Set(['$each', '$position', '$sort', '$slice']);

export function parsePush(operand: unknown): PushPlan {
  if (!isPlainDocument(operand) || !Object.hasOwn(operand, '$each')) {
    return { values: [operand], position: undefined, slice: undefined, sort: undefined };
  }
  for (const key of Object.keys(operand)) {
    if (!PUSH_MODIFIERS.has(key)) throw badValue(`Unrecognized clause in $push: ${key}`);
  }
  const each = operand.$each;
  if (!Array.isArray(each)) throw badValue(`The argument to $each in $push must be an array but it was of type: ${bsonTypeAlias(each)}`);
  return {
    values: each,
    position: operand.$position === undefined ? undefined : integerModifier('$position', operand.$position),
    slice: operand.$slice === undefined ? undefined : integerModifier('$slice', operand.$slice),
    sort: operand.$sort === undefined ? undefined : parsePushSort(operand.$sort),
  };
}

function integerModifier(name: string, value: unknown): number {
  const integer = isNumeric(value) ? toExactInteger(value) : undefined;
  if (integer === undefined) {
    throw badValue(`The value for ${name} must be an integer value but was given type: ${bsonTypeAlias(value)}`);
  }
  return Number(integer);
}

function parsePushSort(spec: unknown): (a: unknown, b: unknown) => number {
  if (isNumeric(spec)) {
    const direction = toDouble(spec);
    if (direction !== 1 && direction !== -1) throw badValue('The $sort element value must be either 1 or -1');
    return (a, b) => direction * compareValues(a, b);
  }
  if (!isPlainDocument(spec) || Object.keys(spec).length === 0) throw badValue('The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields');
  const byFields = compileSort(spec);
  // Non-document elements sort as if every sort field were missing.
  return (a, b) => byFields((isPlainDocument(a) ? a : {}) as Document, (isPlainDocument(b) ? b : {}) as Document);
}

export function applyPush(existing: unknown[], plan: PushPlan): unknown[] {
  const result = [...existing];
  if (plan.position === undefined) {
    result.push(...plan.values);
  } else {
    const position = plan.position < 0 ? Math.max(0, result.length + plan.position) : Math.min(plan.position, result.length);
    result.splice(position, 0, ...plan.values);
  }
  if (plan.sort !== undefined) result.sort(plan.sort);
  if (plan.slice !== undefined) {
    if (plan.slice >= 0) result.length = Math.min(result.length, plan.slice);
    else return result.slice(Math.max(0, result.length + plan.slice));
  }
  return result;
}

export function parseAddToSet(operand: unknown): unknown[] {
  if (isPlainDocument(operand) && Object.hasOwn(operand, '$each')) {
    for (const key of Object.keys(operand)) {
      if (key !== '$each') throw badValue(`Found unexpected fields after $each in $addToSet: ${key}`);
    }
    if (!Array.isArray(operand.$each)) {
      throw badValue(`The argument to $each in $addToSet must be an array but it was of type ${bsonTypeAlias(operand.$each)}`);
    }
    return operand.$each;
  }
  return [operand];
}

export function applyAddToSet(existing: unknown[], values: unknown[]): unknown[] {
  const result = [...existing];
  for (const value of values) {
    if (!result.some((element) => valuesEqual(element, value))) result.push(value);
  }
  return result;
}

/** `$pull`: a query on elements, operators on elements, or a plain value/regex to remove. */
export function parsePullCondition(condition: unknown): (element: unknown) => boolean {
  if (isPlainDocument(condition)) {
    return compileElementCondition(condition);
  }
  if (isRegexValue(condition)) {
    const regex = regexFromValue(condition);
    return (element) => (typeof element === 'string' && regex.test(element)) || valuesEqual(element, condition);
  }
  return equalityPredicate(condition);
}

export function parsePullAll(operand: unknown): unknown[] {
  if (!Array.isArray(operand)) throw badValue(`$pullAll requires an array argument but was given a ${bsonTypeAlias(operand)}`);
  return operand;
}

export function parsePop(operand: unknown): 1 | -1 {
  if (!isNumeric(operand)) throw failedToParse(`Expected a number in: ${String(operand)}`);
  const direction = toDouble(operand);
  if (direction !== 1 && direction !== -1) throw failedToParse(`$pop expects 1 or -1, found: ${direction}`);
  return direction;
}
