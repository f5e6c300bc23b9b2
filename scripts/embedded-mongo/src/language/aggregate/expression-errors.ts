import { ErrorCode, MongoCommandError } from '../../errors.js';
import { bsonTypeAlias } from '../values/type-order.js';

/** Errors raised while compiling or evaluating aggregation expressions, with MongoDB's codes. */
export function expressionError(code: number, message: string): MongoCommandError {
  return new MongoCommandError(code, message);
}

export function typeNameForError(value: unknown): string {
  return value === undefined ? 'missing' : bsonTypeAlias(value);
}

export function wrongArgumentCount(name: string, expected: number | string, actual: number): MongoCommandError {
  return new MongoCommandError(16020, `Expression ${name} takes exactly ${expected} arguments. ${actual} were passed in.`);
}

export function unsupportedExpression(name: string): MongoCommandError {
  return new MongoCommandError(ErrorCode.NotImplemented, `Expression ${name} is not supported by embedded-mongo`);
}

export function requireArgumentCount(name: string, args: unknown[], expected: number): void {
  if (args.length !== expected) throw wrongArgumentCount(name, expected, args.length);
}
