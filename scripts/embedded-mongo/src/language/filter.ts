import type { Document, ObjectId } from 'bson';
import { ErrorCode, MongoCommandError, badValue } from '../errors.js';
import { compileExpression, isTruthy, type Variables } from './aggregate/expressions.js';
import { compileBitTest } from './bit-test.js';
import { compileJsonSchema } from './json-schema.js';
import { anyValueAlongPath, isArrayIndex, ownField, splitPath } from './path.js';
import { compileRegex, isRegexValue, regexFromValue } from './regex.js';
import { compareValues, valuesEqual } from './values/compare.js';
import { groupKeyOf } from './values/group-key.js';
import { NumericWidth, isNumeric, numericWidth, toDouble, toExactInteger } from './values/numeric.js';
import { BsonType, CanonicalRank, bsonTypeCode, bsonTypeCodeForAlias, canonicalRankOfCode, isKnownBsonTypeCode, isNumericTypeCode, isPlainDocument } from './values/type-order.js';

/**
 * Query filters compiled once into closures. A field clause becomes a matcher over the value(s)
 * its path reaches (with MongoDB's implicit array traversal); negations ($ne, $nin, $not,
 * $exists: false) negate the whole path match, which is what makes `{a: {$ne: 5}}` reject
 * `a: [1, 5]` and accept a missing `a`.
 */
export type Matcher = (doc: Document) => boolean;

/** Matches the value(s) reached by a path below `root` (a document, or an array element for $elemMatch). */
type PathMatcher = (root: unknown, variables?: Variables) => boolean;
type ValuePredicate = (value: unknown) => boolean;

export function compileFilter(filter: Document, variables?: Variables): Matcher {
  if (!isPlainDocument(filter)) throw badValue('filter must be an object');
  const query = compileQuery(filter);
  // The command's `let` variables, readable by `$expr` as `$$name`.
  return variables === undefined ? query : (doc) => query(doc, variables);
}

/** A filter whose `$expr` clauses can read `$$variables` (the `$match` of a `$lookup` sub-pipeline). */
export function compileFilterWithVariables(filter: Document): (doc: Document, variables: Variables | undefined) => boolean {
  if (!isPlainDocument(filter)) throw badValue('filter must be an object');
  return compileQuery(filter);
}

/** Operators MongoDB has and this engine does not implement: they fail loudly, never match silently. */
const UNSUPPORTED_TOP_LEVEL = new Set(['$where', '$text']);
const UNSUPPORTED_FIELD_OPERATORS = new Set(['$near', '$nearSphere', '$geoWithin', '$geoIntersects', '$within']);

function notImplemented(name: string): MongoCommandError {
  return new MongoCommandError(ErrorCode.NotImplemented, `${name} is not supported by embedded-mongo`);
}

function compileQuery(filter: Record<string, unknown>): PathMatcher {
  const clauses: PathMatcher[] = [];
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    if (key.startsWith('$')) {
      const clause = compileTopLevelOperator(key, value);
      if (clause) clauses.push(clause);
    } else {
      clauses.push(compileFieldClause(key, value));
    }
  }
  return allOf(clauses);
}

function allOf(clauses: PathMatcher[]): PathMatcher {
  if (clauses.length === 0) return () => true;
  if (clauses.length === 1) return clauses[0]!;
  if (clauses.length === 2) {
    const [first, second] = clauses as [PathMatcher, PathMatcher];
    return (root, variables) => first(root, variables) && second(root, variables);
  }
  return (root, variables) => {
    for (const clause of clauses) if (!clause(root, variables)) return false;
    return true;
  };
}

function compileTopLevelOperator(operator: string, value: unknown): PathMatcher | undefined {
  switch (operator) {
    case '$and':
    case '$or':
    case '$nor': {
      if (!Array.isArray(value) || value.length === 0) throw badValue(`${operator} must be a nonempty array`);
      const branches = value.map((branch) => {
        if (!isPlainDocument(branch)) throw badValue('$or/$and/$nor entries need to be full objects');
        return compileQuery(branch);
      });
      if (operator === '$and') return allOf(branches);
      if (operator === '$or') return (root, variables) => branches.some((branch) => branch(root, variables));
      return (root, variables) => !branches.some((branch) => branch(root, variables));
    }
    case '$expr': {
      const expression = compileExpression(value);
      return (root, variables) => isTruthy(expression(root as Document, variables));
    }
    case '$comment':
      return undefined;
    case '$jsonSchema': {
      const schema = compileJsonSchema(value);
      return (root) => schema(root);
    }
    case '$sampleRate': {
      if (!isNumeric(value) || toDouble(value) < 0 || toDouble(value) > 1) {
        throw badValue('$sampleRate expects a numeric value between 0 and 1 inclusive');
      }
      const rate = toDouble(value);
      return () => Math.random() < rate;
    }
    default:
      if (UNSUPPORTED_TOP_LEVEL.has(operator)) throw notImplemented(operator);
      throw badValue(`unknown top level operator: ${operator}. If you are trying to use a field name containing '$', please use $getField`);
  }
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainDocument(value)) return false;
  for (const key in value) return key.startsWith('$');
  return false;
}

function compileFieldClause(path: string, value: unknown): PathMatcher {
  const parts = splitPath(path);
  if (isOperatorObject(value)) return compileOperatorObject(parts, value);
  if (isRegexValue(value)) return overPath(parts, true, regexPredicate(regexFromValue(value), value));
  return overPath(parts, true, equalityPredicate(value));
}

function compileOperatorObject(parts: readonly string[], spec: Record<string, unknown>): PathMatcher {
  const clauses: PathMatcher[] = [];
  const hasRegex = Object.hasOwn(spec, '$regex');
  for (const operator of Object.keys(spec)) {
    const operand = spec[operator];
    switch (operator) {
      case '$eq':
        clauses.push(overPath(parts, true, equalityPredicate(operand)));
        break;
      case '$ne':
        clauses.push(negate(overPath(parts, true, equalityPredicate(operand))));
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        clauses.push(overPath(parts, true, comparisonPredicate(operator, operand)));
        break;
      case '$in':
        clauses.push(overPath(parts, true, inPredicate(operand, '$in')));
        break;
      case '$nin':
        clauses.push(negate(overPath(parts, true, inPredicate(operand, '$nin'))));
        break;
      case '$exists': {
        const exists = overPath(parts, false, (value) => value !== undefined);
        clauses.push(isTruthyQueryOperand(operand) ? exists : negate(exists));
        break;
      }
      case '$type':
        clauses.push(overPath(parts, true, typePredicate(operand)));
        break;
      case '$size':
        clauses.push(overPath(parts, false, sizePredicate(operand)));
        break;
      case '$all':
        clauses.push(compileAll(parts, operand));
        break;
      case '$elemMatch':
        clauses.push(overPath(parts, false, elemMatchPredicate(operand)));
        break;
      case '$bitsAllSet':
      case '$bitsAnySet':
      case '$bitsAllClear':
      case '$bitsAnyClear':
        clauses.push(overPath(parts, true, compileBitTest(operator, operand)));
        break;
      case '$mod':
        clauses.push(overPath(parts, true, modPredicate(operand)));
        break;
      case '$regex': {
        const options = spec.$options;
        if (options !== undefined && typeof options !== 'string') throw badValue('$options has to be a string');
        clauses.push(overPath(parts, true, regexPredicate(regexOperand(operand, options ?? ''), undefined)));
        break;
      }
      case '$options':
        if (!hasRegex) throw badValue('$options needs a $regex');
        break;
      case '$not':
        clauses.push(negate(compileNot(parts, operand)));
        break;
      case '$comment':
        break;
      default:
        if (UNSUPPORTED_FIELD_OPERATORS.has(operator)) throw notImplemented(operator);
        throw badValue(`unknown operator: ${operator}`);
    }
  }
  return allOf(clauses);
}

function isTruthyQueryOperand(value: unknown): boolean {
  if (isNumeric(value)) return toDouble(value) !== 0;
  return value !== false && value !== null && value !== undefined;
}

function negate(matcher: PathMatcher): PathMatcher {
  return (root, variables) => !matcher(root, variables);
}

/**
 * Applies a value predicate along a path. The single-field case avoids the generic walker:
 * it is the hot path for `{status: 'open'}`-shaped filters.
 */
function overPath(parts: readonly string[], expandLeafArrays: boolean, predicate: ValuePredicate): PathMatcher {
  if (parts.length === 1 && !isArrayIndex(parts[0]!)) {
    const field = parts[0]!;
    const mayHitPrototype = field in Object.prototype;
    return (root) => {
      if (!isPlainDocument(root)) return anyValueAlongPath(root, parts, expandLeafArrays, predicate);
      const value = mayHitPrototype ? ownField(root, field) : root[field];
      if (!Array.isArray(value)) return predicate(value);
      if (predicate(value)) return true;
      if (expandLeafArrays) for (const element of value) if (predicate(element)) return true;
      return false;
    };
  }
  if (parts.length === 0) {
    return (root) => {
      if (predicate(root)) return true;
      if (expandLeafArrays && Array.isArray(root)) for (const element of root) if (predicate(element)) return true;
      return false;
    };
  }
  return (root) => anyValueAlongPath(root, parts, expandLeafArrays, predicate);
}

export function equalityPredicate(target: unknown): ValuePredicate {
  if (typeof target === 'string') {
    return (value) =>
      value === target || (typeof value === 'object' && value !== null && (value as { _bsontype?: string })._bsontype === 'BSONSymbol' && (value as { value: string }).value === target);
  }
  const width = numericWidth(target);
  if ((width === NumericWidth.int || width === NumericWidth.double) && !Number.isNaN(toDouble(target))) {
    const number = toDouble(target);
    return (value) => {
      if (typeof value === 'number') return value === number;
      if (typeof value !== 'object' || value === null) return false;
      const type = (value as { _bsontype?: string })._bsontype;
      if (type === 'Int32' || type === 'Double') return (value as { value: number }).value === number;
      if (type === 'Long' || type === 'Decimal128') return compareValues(value, target) === 0;
      return false;
    };
  }
  if (bsonTypeCode(target) === BsonType.objectId) {
    const targetBytes = (target as ObjectId).id;
    return (value) => {
      if (typeof value !== 'object' || value === null || (value as { _bsontype?: string })._bsontype !== 'ObjectId') return false;
      const bytes = (value as ObjectId).id;
      for (let i = 0; i < 12; i++) if (bytes[i] !== targetBytes[i]) return false;
      return true;
    };
  }
  if (target === null || target === undefined) return (value) => value === null || value === undefined;
  return (value) => valuesEqual(value, target);
}

function isNaNValue(value: unknown): boolean {
  return isNumeric(value) && numericWidth(value) !== NumericWidth.long && Number.isNaN(toDouble(value));
}

/**
 * `$gt`/`$gte`/`$lt`/`$lte` compare only within the operand's type bracket (numbers with
 * numbers, strings with strings), except that MinKey/MaxKey operands compare with everything.
 * NaN is only ever equal to NaN: `$gt: NaN` matches nothing, `$gte: NaN` matches NaN.
 */
function comparisonPredicate(operator: '$gt' | '$gte' | '$lt' | '$lte', target: unknown): ValuePredicate {
  const targetRank = canonicalRankOfCode(bsonTypeCode(target));
  const crossesTypes = targetRank === CanonicalRank.minKey || targetRank === CanonicalRank.maxKey;
  const acceptsEqual = operator === '$gte' || operator === '$lte';
  const wantsGreater = operator === '$gt' || operator === '$gte';
  if (isNaNValue(target)) return acceptsEqual ? (value) => isNaNValue(value) : () => false;
  const targetWidth = numericWidth(target);
  if (targetWidth === NumericWidth.int || targetWidth === NumericWidth.double) {
    // Hot path: a double-representable bound against int/double values needs no type dispatch.
    const bound = toDouble(target);
    return (value) => {
      let number: number;
      if (typeof value === 'number') number = value;
      else if (typeof value === 'object' && value !== null) {
        const type = (value as { _bsontype?: string })._bsontype;
        if (type === 'Int32' || type === 'Double') number = (value as { value: number }).value;
        else if (type === 'Long' || type === 'Decimal128') {
          if (isNaNValue(value)) return false;
          const order = compareValues(value, target);
          return order === 0 ? acceptsEqual : wantsGreater ? order > 0 : order < 0;
        } else return false;
      } else return false;
      if (number === bound) return acceptsEqual;
      // NaN fails both comparisons, as it must.
      return wantsGreater ? number > bound : number < bound;
    };
  }
  return (value) => {
    if (!crossesTypes && canonicalRankOfCode(bsonTypeCode(value)) !== targetRank) return false;
    if (targetRank === CanonicalRank.number && isNaNValue(value)) return false;
    const order = compareValues(value, target);
    if (order === 0) return acceptsEqual;
    return wantsGreater ? order > 0 : order < 0;
  };
}

function inPredicate(operand: unknown, operator: string): ValuePredicate {
  if (!Array.isArray(operand)) throw badValue(`${operator} needs an array`);
  const strings = new Set<string>();
  const regexes: RegExp[] = [];
  const others: ValuePredicate[] = [];
  const otherKeys = new Set<string>();
  for (const member of operand) {
    if (typeof member === 'string') strings.add(member);
    else if (isRegexValue(member)) regexes.push(regexFromValue(member));
    else if (isOperatorObject(member)) throw badValue(`cannot nest $ under ${operator}`);
    else {
      others.push(equalityPredicate(member));
      otherKeys.add(groupKeyOf(member));
    }
  }
  // A long list ($in of thousands of ids) is a hash lookup by value key, not a scan per document.
  if (others.length > 8) {
    return (value) => {
      if (typeof value === 'string') {
        if (strings.has(value)) return true;
      } else if (otherKeys.has(groupKeyOf(value))) {
        return true;
      } else if (strings.size > 0 && bsonTypeCode(value) === BsonType.symbol && strings.has((value as { value: string }).value)) {
        return true;
      }
      for (const regex of regexes) if (testRegex(regex, value)) return true;
      return false;
    };
  }
  return (value) => {
    if (typeof value === 'string') {
      if (strings.has(value)) return true;
    } else if (strings.size > 0 && bsonTypeCode(value) === BsonType.symbol && strings.has((value as { value: string }).value)) {
      return true;
    }
    for (const predicate of others) if (predicate(value)) return true;
    for (const regex of regexes) if (testRegex(regex, value)) return true;
    return false;
  };
}

function testRegex(regex: RegExp, value: unknown): boolean {
  if (typeof value === 'string') return regex.test(value);
  if (bsonTypeCode(value) === BsonType.symbol) return regex.test((value as { value: string }).value);
  return false;
}

/** A regex in a query matches strings by pattern and regex values by equality of pattern and flags. */
function regexPredicate(regex: RegExp, literal: unknown): ValuePredicate {
  return (value) => {
    if (testRegex(regex, value)) return true;
    if (isRegexValue(value)) {
      const other = regexFromValue(value);
      return literal !== undefined ? valuesEqual(value, literal) : other.source === regex.source && other.flags === regex.flags;
    }
    return false;
  };
}

function regexOperand(operand: unknown, options: string): RegExp {
  if (typeof operand === 'string') return compileRegex(operand, options);
  if (isRegexValue(operand)) {
    const ownOptions = operand instanceof RegExp ? operand.flags : (operand as { options: string }).options;
    if (options !== '' && ownOptions !== '') throw badValue('options set in both $regex and $options');
    return regexFromValue(operand, options);
  }
  throw badValue('$regex has to be a string');
}

function typePredicate(operand: unknown): ValuePredicate {
  const members = Array.isArray(operand) ? operand : [operand];
  const codes = new Set<number>();
  let matchesAnyNumber = false;
  for (const member of members) {
    if (typeof member === 'string') {
      if (member === 'number') {
        matchesAnyNumber = true;
        continue;
      }
      const code = bsonTypeCodeForAlias(member);
      if (code === undefined) throw badValue(`Unknown type name alias: ${member}`);
      codes.add(code);
    } else if (isNumeric(member)) {
      const code = toDouble(member);
      if (!Number.isInteger(code) || !isKnownBsonTypeCode(code)) throw badValue(`Invalid numerical type code: ${code}`);
      codes.add(code);
    } else {
      throw badValue('type must be represented as a number or a string');
    }
  }
  return (value) => {
    if (value === undefined) return false;
    const code = bsonTypeCode(value);
    return codes.has(code) || (matchesAnyNumber && isNumericTypeCode(code));
  };
}

function sizePredicate(operand: unknown): ValuePredicate {
  if (!isNumeric(operand)) throw badValue('$size needs a number');
  const size = toExactInteger(operand);
  if (size === undefined) throw badValue(`$size must be a whole number`);
  if (size < 0n) throw badValue(`$size may not be negative`);
  const length = Number(size);
  return (value) => Array.isArray(value) && value.length === length;
}

function modPredicate(operand: unknown): ValuePredicate {
  if (!Array.isArray(operand)) throw badValue('malformed mod, needs to be an array');
  if (operand.length < 2) throw badValue('malformed mod, not enough elements');
  if (operand.length > 2) throw badValue('malformed mod, too many elements');
  const [divisorValue, remainderValue] = operand as [unknown, unknown];
  if (!isNumeric(divisorValue)) throw badValue('malformed mod, divisor not a number');
  if (!isNumeric(remainderValue)) throw badValue('malformed mod, remainder not a number');
  const divisor = truncatedInteger(divisorValue);
  const remainder = truncatedInteger(remainderValue);
  if (divisor === undefined || remainder === undefined) throw badValue('malformed mod, divisor and remainder must be finite');
  if (divisor === 0n) throw badValue('divisor cannot be 0');
  return (value) => {
    if (!isNumeric(value)) return false;
    const dividend = truncatedInteger(value);
    return dividend !== undefined && dividend % divisor === remainder;
  };
}

function truncatedInteger(value: unknown): bigint | undefined {
  if (numericWidth(value) === NumericWidth.long) return toExactInteger(value);
  const number = toDouble(value);
  return Number.isFinite(number) ? BigInt(Math.trunc(number)) : undefined;
}

/** `$elemMatch` matches an array with at least one element satisfying all of its conditions. */
function elemMatchPredicate(operand: unknown): ValuePredicate {
  if (!isPlainDocument(operand)) throw badValue('$elemMatch needs an Object');
  const elementMatches = compileElementCondition(operand);
  return (value) => {
    if (!Array.isArray(value)) return false;
    for (const element of value) if (elementMatches(element)) return true;
    return false;
  };
}

const LOGICAL_OPERATORS = new Set(['$and', '$or', '$nor', '$expr', '$where']);

/**
 * An element condition is either operators on the element itself (`{$gt: 1, $lt: 5}`) or a query
 * over an element document (`{qty: {$gt: 1}}`). Shared by $elemMatch, $all and $pull.
 */
export function compileElementCondition(condition: Record<string, unknown>): (element: unknown) => boolean {
  const keys = Object.keys(condition);
  const isValueCondition = keys.length > 0 && keys.every((key) => key.startsWith('$') && !LOGICAL_OPERATORS.has(key));
  if (isValueCondition) {
    const matcher = compileOperatorObject([], condition);
    return (element) => matcher(element);
  }
  const query = compileQuery(condition);
  return (element) => isPlainDocument(element) && query(element);
}

function compileAll(parts: readonly string[], operand: unknown): PathMatcher {
  if (!Array.isArray(operand)) throw badValue('$all needs an array');
  if (operand.length === 0) return () => false;
  const clauses = operand.map((member): PathMatcher => {
    if (isPlainDocument(member) && Object.hasOwn(member, '$elemMatch')) {
      return overPath(parts, false, elemMatchPredicate(member.$elemMatch));
    }
    if (isOperatorObject(member)) throw badValue('no $ expressions in $all');
    if (isRegexValue(member)) return overPath(parts, true, regexPredicate(regexFromValue(member), member));
    return overPath(parts, true, equalityPredicate(member));
  });
  return allOf(clauses);
}

function compileNot(parts: readonly string[], operand: unknown): PathMatcher {
  if (isRegexValue(operand)) return overPath(parts, true, regexPredicate(regexFromValue(operand), operand));
  if (!isPlainDocument(operand)) throw badValue('$not needs a regex or a document');
  if (Object.keys(operand).length === 0) throw badValue('$not cannot be empty');
  if (!isOperatorObject(operand)) throw badValue(`unknown operator: ${Object.keys(operand)[0]}`);
  return compileOperatorObject(parts, operand);
}
