/**
 * Value matching of the unified test format: expected values (from the spec files, parsed as
 * canonical extended JSON) against actual values (driver results, errors, command events).
 *
 * Rules implemented: numbers of any BSON numeric type (not Decimal128) match when numerically
 * equal; root-level documents (and the documents of a root-level array, e.g. a cursor's
 * results) may carry extra fields, nested ones may not; arrays match element by element with
 * equal length; the special operators `$$exists`, `$$type`, `$$unsetOrMatches`,
 * `$$sessionLsid`, `$$matchesEntity`, `$$matchesHexBytes`, `$$lte`, `$$matchAsDocument` and
 * `$$matchAsRoot`.
 */
import { Binary, BSON, Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'mongodb';

export class MatchError extends Error {}

export interface MatchContext {
  /** The entity map (`$$sessionLsid` and `$$matchesEntity` look entities up). */
  entity(id: string): unknown;
  /** The lsid a session entity was created with. */
  sessionLsid(id: string): unknown;
  /**
   * Permit extra fields in nested documents too. Used for commands the driver sends (command
   * started events): what the driver adds beside the expected fields (e.g. `wtimeout` on a
   * commit's write concern) says nothing about the server, and the Node driver's own runner
   * does not check it either.
   */
  allowExtraFields?: boolean;
}

function describe(value: unknown): string {
  try {
    return BSON.EJSON.stringify(value as never, { relaxed: true });
  } catch {
    return String(value);
  }
}

function fail(path: string, message: string): never {
  throw new MatchError(`${path || '<root>'}: ${message}`);
}

export function isNumeric(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint' || value instanceof Int32 || value instanceof Double || value instanceof Long;
}

function numericValue(value: unknown): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (value instanceof Long) return value.toBigInt();
  return (value as Int32 | Double).valueOf();
}

function numbersEqual(a: unknown, b: unknown): boolean {
  const x = numericValue(a);
  const y = numericValue(b);
  if (typeof x === 'number' && typeof y === 'number') return x === y || (Number.isNaN(x) && Number.isNaN(y));
  if (typeof x === 'bigint' && typeof y === 'bigint') return x === y;
  const n = typeof x === 'number' ? x : (y as number);
  const big = typeof x === 'bigint' ? x : (y as bigint);
  return Number.isInteger(n) && BigInt(n) === big;
}

/** The unified format's type aliases the actual value satisfies (as far as the driver lets us tell). */
function typeAliases(value: unknown): string[] {
  if (value === null) return ['null'];
  if (value === undefined) return ['undefined'];
  if (typeof value === 'string') return ['string'];
  if (typeof value === 'boolean') return ['bool'];
  if (typeof value === 'number') {
    // The driver promotes int32, int64 (when safe) and double to a JS number.
    const aliases = ['double', 'number'];
    if (Number.isInteger(value)) aliases.push('long', ...(value >= -(2 ** 31) && value < 2 ** 31 ? ['int'] : []));
    return aliases;
  }
  if (value instanceof Int32) return ['int', 'number'];
  if (value instanceof Double) return ['double', 'number'];
  if (value instanceof Long) return ['long', 'number'];
  if (value instanceof Decimal128) return ['decimal', 'number'];
  if (value instanceof ObjectId) return ['objectId'];
  if (value instanceof Binary) return ['binData'];
  if (value instanceof Timestamp) return ['timestamp'];
  if (value instanceof Date) return ['date'];
  if (value instanceof RegExp || (value as { _bsontype?: string })._bsontype === 'BSONRegExp') return ['regex'];
  if (Array.isArray(value)) return ['array'];
  if (typeof value === 'object') return ['object'];
  return [typeof value];
}

function isSpecial(expected: unknown): expected is Record<string, unknown> {
  if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return false;
  const keys = Object.keys(expected);
  return keys.length === 1 && keys[0]!.startsWith('$$');
}

function isPlainDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if ('_bsontype' in (value as object)) return false;
  return !(value instanceof Date) && !(value instanceof RegExp) && !(value instanceof Uint8Array);
}

function entries(value: object): [string, unknown][] {
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [String(k), v]);
  return Object.entries(value);
}

function getKey(container: unknown, key: string): unknown {
  if (container instanceof Map) return container.has(key) ? container.get(key) : container.get(Number(key));
  return (container as Record<string, unknown>)[key];
}

function hasKey(container: unknown, key: string): boolean {
  if (container instanceof Map) return container.has(key) || container.has(Number(key));
  return container !== null && typeof container === 'object' && key in container && (container as Record<string, unknown>)[key] !== undefined;
}

function matchSpecial(expected: Record<string, unknown>, actual: unknown, ctx: MatchContext, path: string, isRoot: boolean): void {
  const [operator, operand] = Object.entries(expected)[0]!;
  switch (operator) {
    case '$$exists':
      if ((actual !== undefined) !== operand) fail(path, `expected the field to ${operand ? 'exist' : 'be absent'}, got ${describe(actual)}`);
      return;
    case '$$type': {
      const wanted = Array.isArray(operand) ? (operand as string[]) : [operand as string];
      const aliases = typeAliases(actual);
      if (!wanted.some((t) => aliases.includes(t))) fail(path, `expected type ${wanted.join('|')}, got ${aliases.join('|')} (${describe(actual)})`);
      return;
    }
    case '$$unsetOrMatches':
      if (actual === undefined) return;
      match(operand, actual, ctx, path, isRoot);
      return;
    case '$$sessionLsid': {
      const lsid = ctx.sessionLsid(operand as string);
      match(lsid, actual, ctx, path, false);
      return;
    }
    case '$$matchesEntity':
      match(ctx.entity(operand as string), actual, ctx, path, isRoot);
      return;
    case '$$matchesHexBytes': {
      const bytes = actual instanceof Binary ? actual.buffer : actual;
      if (!(bytes instanceof Uint8Array) || Buffer.from(bytes).toString('hex') !== String(operand).toLowerCase()) fail(path, `expected bytes ${String(operand)}`);
      return;
    }
    case '$$lte':
      if (!isNumeric(actual) || !(numericValue(actual) <= numericValue(operand))) fail(path, `expected a number <= ${describe(operand)}, got ${describe(actual)}`);
      return;
    case '$$matchAsDocument': {
      if (typeof actual !== 'string') fail(path, `expected a JSON string, got ${describe(actual)}`);
      match(operand, BSON.EJSON.parse(actual, { relaxed: false }), ctx, path, false);
      return;
    }
    case '$$matchAsRoot':
      match(operand, actual, ctx, path, true);
      return;
    default:
      throw new Error(`unsupported special operator ${operator} at ${path}`);
  }
}

/** Throws MatchError when `actual` does not match `expected`. */
export function match(expected: unknown, actual: unknown, ctx: MatchContext, path = '', isRoot = true): void {
  if (isSpecial(expected)) return matchSpecial(expected, actual, ctx, path, isRoot);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) fail(path, `expected an array, got ${describe(actual)}`);
    if (actual.length !== expected.length) fail(path, `expected ${expected.length} elements, got ${actual.length}: ${describe(actual)}`);
    // Documents of a root-level array (a cursor's results) are root-level documents too.
    expected.forEach((value, i) => match(value, actual[i], ctx, `${path}[${i}]`, isRoot));
    return;
  }
  if (isPlainDocument(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) fail(path, `expected a document, got ${describe(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      const childPath = `${path}.${key}`;
      const present = hasKey(actual, key);
      if (!present) {
        if (isSpecial(value) && ('$$exists' in value || '$$unsetOrMatches' in value)) {
          match(value, undefined, ctx, childPath, false);
          continue;
        }
        fail(childPath, `missing (actual: ${describe(actual)})`);
      }
      match(value, getKey(actual, key), ctx, childPath, false);
    }
    if (!isRoot && !ctx.allowExtraFields) {
      const extra = entries(actual)
        .filter(([key, value]) => value !== undefined && !(key in expected))
        .map(([key]) => key);
      if (extra.length > 0) fail(path, `unexpected fields ${extra.join(', ')} in ${describe(actual)}`);
    }
    return;
  }
  if (isNumeric(expected)) {
    if (!isNumeric(actual) || !numbersEqual(expected, actual)) fail(path, `expected ${describe(expected)}, got ${describe(actual)}`);
    return;
  }
  if (expected instanceof Decimal128) {
    if (!(actual instanceof Decimal128) || actual.toString() !== expected.toString()) fail(path, `expected ${describe(expected)}, got ${describe(actual)}`);
    return;
  }
  if (expected === null || typeof expected !== 'object') {
    if (actual !== expected) fail(path, `expected ${describe(expected)}, got ${describe(actual)}`);
    return;
  }
  // Other BSON values (ObjectId, Binary, Date, Timestamp, regex, ...): compare serialized.
  if (describe(expected) !== describe(actual)) fail(path, `expected ${describe(expected)}, got ${describe(actual)}`);
}
