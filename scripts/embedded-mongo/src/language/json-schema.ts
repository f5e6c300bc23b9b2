import { badValue } from '../errors.js';
import { compileRegex } from './regex.js';
import { compareValues, valuesEqual } from './values/compare.js';
import { isNumeric, toDouble } from './values/numeric.js';
import { BsonType, bsonTypeCode, bsonTypeCodeForAlias, isNumericTypeCode, isPlainDocument } from './values/type-order.js';

/**
 * `$jsonSchema` (MongoDB's draft-4 subset): compiled once into a predicate over a value. As in
 * JSON Schema, a keyword constrains only values of the type it is about (`minimum` ignores
 * strings, `required` ignores non-objects). `type` uses JSON types, `bsonType` BSON aliases.
 */
type Check = (value: unknown) => boolean;

const JSON_TYPES: Record<string, (code: number) => boolean> = {
  object: (code) => code === BsonType.object,
  array: (code) => code === BsonType.array,
  number: isNumericTypeCode,
  boolean: (code) => code === BsonType.bool,
  string: (code) => code === BsonType.string,
  null: (code) => code === BsonType.null,
};

const IGNORED_KEYWORDS = new Set(['title', 'description', '$comment', 'default', 'examples']);

export function compileJsonSchema(schema: unknown): Check {
  if (!isPlainDocument(schema)) throw badValue('$jsonSchema must be an object');
  const checks: Check[] = [];
  for (const [keyword, argument] of Object.entries(schema)) {
    if (IGNORED_KEYWORDS.has(keyword)) continue;
    checks.push(compileKeyword(keyword, argument, schema));
  }
  return (value) => checks.every((check) => check(value));
}

function typeCheck(types: unknown, resolve: (name: string) => (code: number) => boolean, keyword: string): Check {
  const names = Array.isArray(types) ? types : [types];
  const tests = names.map((name) => {
    if (typeof name !== 'string') throw badValue(`$jsonSchema keyword '${keyword}' must be a string or an array of strings`);
    return resolve(name);
  });
  return (value) => value !== undefined && tests.some((test) => test(bsonTypeCode(value)));
}

function numberArgument(keyword: string, argument: unknown): number {
  if (!isNumeric(argument)) throw badValue(`$jsonSchema keyword '${keyword}' must be a number`);
  return toDouble(argument);
}

function onlyFor(isApplicable: (value: unknown) => boolean, check: Check): Check {
  return (value) => !isApplicable(value) || check(value);
}

const isNumber = (value: unknown): boolean => isNumeric(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isArray = (value: unknown): value is unknown[] => Array.isArray(value);
const isObject = (value: unknown): value is Record<string, unknown> => isPlainDocument(value);

function compileKeyword(keyword: string, argument: unknown, schema: Record<string, unknown>): Check {
  switch (keyword) {
    case 'type':
      return typeCheck(
        argument,
        (name) => {
          const test = JSON_TYPES[name];
          if (test === undefined) throw badValue(`$jsonSchema type '${name}' is not supported (use bsonType for BSON types)`);
          return test;
        },
        keyword,
      );
    case 'bsonType':
      return typeCheck(
        argument,
        (name) => {
          if (name === 'number') return isNumericTypeCode;
          const code = bsonTypeCodeForAlias(name);
          if (code === undefined) throw badValue(`Unknown type name alias: ${name}`);
          return (actual) => actual === code;
        },
        keyword,
      );
    case 'enum': {
      if (!Array.isArray(argument) || argument.length === 0) throw badValue("$jsonSchema keyword 'enum' must be a non-empty array");
      return (value) => argument.some((member) => valuesEqual(member, value));
    }
    case 'minimum':
    case 'maximum': {
      const bound = numberArgument(keyword, argument);
      const exclusive = schema[keyword === 'minimum' ? 'exclusiveMinimum' : 'exclusiveMaximum'] === true;
      return onlyFor(isNumber, (value) => {
        const order = compareValues(value, bound);
        return keyword === 'minimum' ? (exclusive ? order > 0 : order >= 0) : exclusive ? order < 0 : order <= 0;
      });
    }
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return () => true;
    case 'multipleOf': {
      const divisor = numberArgument(keyword, argument);
      if (divisor <= 0) throw badValue("$jsonSchema keyword 'multipleOf' must be positive");
      return onlyFor(isNumber, (value) => toDouble(value) % divisor === 0);
    }
    case 'minLength':
    case 'maxLength': {
      const limit = numberArgument(keyword, argument);
      return onlyFor(isString, (value) => {
        const length = Array.from(value as string).length;
        return keyword === 'minLength' ? length >= limit : length <= limit;
      });
    }
    case 'pattern': {
      if (typeof argument !== 'string') throw badValue("$jsonSchema keyword 'pattern' must be a string");
      const regex = compileRegex(argument, '');
      return onlyFor(isString, (value) => regex.test(value as string));
    }
    case 'minItems':
    case 'maxItems': {
      const limit = numberArgument(keyword, argument);
      return onlyFor(isArray, (value) => {
        const length = (value as unknown[]).length;
        return keyword === 'minItems' ? length >= limit : length <= limit;
      });
    }
    case 'uniqueItems':
      if (argument !== true) return () => true;
      return onlyFor(isArray, (value) => {
        const items = value as unknown[];
        return items.every((item, i) => items.findIndex((other) => valuesEqual(other, item)) === i);
      });
    case 'items': {
      if (Array.isArray(argument)) {
        const positional = argument.map(compileJsonSchema);
        const additional = schema.additionalItems;
        const extra = additional === undefined || additional === true ? undefined : additional === false ? () => false : compileJsonSchema(additional);
        return onlyFor(isArray, (value) => (value as unknown[]).every((item, i) => (i < positional.length ? positional[i]!(item) : extra === undefined || extra(item))));
      }
      const each = compileJsonSchema(argument);
      return onlyFor(isArray, (value) => (value as unknown[]).every(each));
    }
    case 'additionalItems':
      return () => true;
    case 'required': {
      if (!Array.isArray(argument) || argument.some((name) => typeof name !== 'string')) {
        throw badValue("$jsonSchema keyword 'required' must be an array of strings");
      }
      return onlyFor(isObject, (value) => (argument as string[]).every((name) => Object.hasOwn(value as object, name)));
    }
    case 'minProperties':
    case 'maxProperties': {
      const limit = numberArgument(keyword, argument);
      return onlyFor(isObject, (value) => {
        const count = Object.keys(value as object).length;
        return keyword === 'minProperties' ? count >= limit : count <= limit;
      });
    }
    case 'properties': {
      if (!isPlainDocument(argument)) throw badValue("$jsonSchema keyword 'properties' must be an object");
      const properties = Object.entries(argument).map(([name, propertySchema]) => [name, compileJsonSchema(propertySchema)] as const);
      return onlyFor(isObject, (value) => properties.every(([name, check]) => !Object.hasOwn(value as object, name) || check((value as Record<string, unknown>)[name])));
    }
    case 'patternProperties':
      if (!isPlainDocument(argument)) throw badValue("$jsonSchema keyword 'patternProperties' must be an object");
      return () => true; // applied together with additionalProperties below
    case 'additionalProperties': {
      const known = new Set(isPlainDocument(schema.properties) ? Object.keys(schema.properties) : []);
      const patterns = isPlainDocument(schema.patternProperties)
        ? Object.entries(schema.patternProperties).map(([pattern, patternSchema]) => [compileRegex(pattern, ''), compileJsonSchema(patternSchema)] as const)
        : [];
      const extra = argument === true ? undefined : argument === false ? () => false : compileJsonSchema(argument);
      return onlyFor(isObject, (value) =>
        Object.entries(value as Record<string, unknown>).every(([name, fieldValue]) => {
          const matching = patterns.filter(([regex]) => regex.test(name));
          if (!matching.every(([, check]) => check(fieldValue))) return false;
          if (known.has(name) || matching.length > 0) return true;
          return extra === undefined || extra(fieldValue);
        }),
      );
    }
    case 'dependencies': {
      if (!isPlainDocument(argument)) throw badValue("$jsonSchema keyword 'dependencies' must be an object");
      const dependencies = Object.entries(argument).map(([name, dependency]) => {
        const check: Check = Array.isArray(dependency) ? (value) => (dependency as string[]).every((required) => Object.hasOwn(value as object, required)) : compileJsonSchema(dependency);
        return [name, check] as const;
      });
      return onlyFor(isObject, (value) => dependencies.every(([name, check]) => !Object.hasOwn(value as object, name) || check(value)));
    }
    case 'allOf':
    case 'anyOf':
    case 'oneOf': {
      if (!Array.isArray(argument) || argument.length === 0) throw badValue(`$jsonSchema keyword '${keyword}' must be a non-empty array`);
      const branches = argument.map(compileJsonSchema);
      if (keyword === 'allOf') return (value) => branches.every((branch) => branch(value));
      if (keyword === 'anyOf') return (value) => branches.some((branch) => branch(value));
      return (value) => branches.filter((branch) => branch(value)).length === 1;
    }
    case 'not': {
      const inner = compileJsonSchema(argument);
      return (value) => !inner(value);
    }
    case 'encrypt':
      throw badValue('$jsonSchema keyword encrypt is not supported by embedded-mongo');
    default:
      throw badValue(`Unknown $jsonSchema keyword: ${keyword}`);
  }
}
