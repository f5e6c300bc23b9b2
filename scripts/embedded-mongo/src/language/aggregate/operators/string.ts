import { Int32 } from 'bson';
import { compareStrings } from '../../values/compare.js';
import { isNumeric, toDouble, toExactInteger } from '../../values/numeric.js';
import { BsonType, bsonTypeCode, isPlainDocument } from '../../values/type-order.js';
import { compileRegex, isRegexValue, regexFromValue } from '../../regex.js';
import { expressionError, requireArgumentCount, typeNameForError } from '../expression-errors.js';
import { operandList, type CompiledExpression, type CompileExpression, type OperatorTable } from '../expression-types.js';

/**
 * String expressions. MongoDB measures $substrBytes/$strLenBytes/$indexOfBytes in UTF-8 bytes
 * and the *CP variants in code points, so both are computed explicitly rather than with JS
 * string indexes (UTF-16 code units).
 */
function isNullish(value: unknown): boolean {
  return value === null || value === undefined;
}

function stringArgument(name: string, value: unknown, code: number): string {
  if (typeof value === 'string') return value;
  if (bsonTypeCode(value) === BsonType.symbol) return (value as { value: string }).value;
  throw expressionError(code, `${name} requires its input to be a string, not ${typeNameForError(value)}`);
}

/** $toLower/$toUpper/$substr coerce numbers and dates to strings; null becomes ''. */
function coercedString(value: unknown): string {
  if (isNullish(value)) return '';
  if (typeof value === 'string') return value;
  if (isNumeric(value)) return String(toDouble(value));
  if (value instanceof Date) return value.toISOString();
  if (bsonTypeCode(value) === BsonType.symbol) return (value as { value: string }).value;
  throw expressionError(16007, `can't convert from BSON type ${typeNameForError(value)} to String`);
}

function unary(name: string, operand: unknown, compile: CompileExpression): CompiledExpression {
  const args = operandList(operand);
  requireArgumentCount(name, args, 1);
  return compile(args[0]);
}

function integerArgument(name: string, value: unknown, code: number): number {
  const integer = isNumeric(value) ? toExactInteger(value) : undefined;
  if (integer === undefined) throw expressionError(code, `${name}: starting index and length must be integers, got ${typeNameForError(value)}`);
  return Number(integer);
}

function substringBytes(text: string, start: number, length: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (start < 0) return '';
  const begin = Math.min(start, bytes.length);
  const end = length < 0 ? bytes.length : Math.min(bytes.length, begin + length);
  const isContinuation = (index: number): boolean => index < bytes.length && (bytes[index]! & 0xc0) === 0x80;
  if (isContinuation(begin)) throw expressionError(28656, '$substrBytes: Invalid range, starting index is a UTF-8 continuation byte.');
  if (isContinuation(end)) throw expressionError(28657, '$substrBytes: Invalid range, ending index is in the middle of a UTF-8 character.');
  return bytes.subarray(begin, end).toString('utf8');
}

function trimmer(name: string, trimStart: boolean, trimEnd: boolean) {
  return (operand: unknown, compile: CompileExpression): CompiledExpression => {
    if (!isPlainDocument(operand) || !('input' in operand)) throw expressionError(50695, `${name} requires an 'input' parameter`);
    const input = compile(operand.input);
    const chars = operand.chars === undefined ? undefined : compile(operand.chars);
    return (current, variables) => {
      const value = input(current, variables);
      if (isNullish(value)) return null;
      const text = stringArgument(name, value, 50699);
      const charsValue = chars?.(current, variables);
      if (chars !== undefined && isNullish(charsValue)) return null;
      const set = charsValue === undefined ? [' ', '\t', '\n', '\r', '\v', '\f', '\0', '\u00a0', '\u2000'] : Array.from(stringArgument(name, charsValue, 50700));
      const characters = Array.from(text);
      let begin = 0;
      let end = characters.length;
      if (trimStart) while (begin < end && set.includes(characters[begin]!)) begin++;
      if (trimEnd) while (end > begin && set.includes(characters[end - 1]!)) end--;
      return characters.slice(begin, end).join('');
    };
  };
}

export const stringOperators: OperatorTable = {
  $concat: (operand, compile) => {
    const args = operandList(operand).map(compile);
    return (current, variables) => {
      let result = '';
      for (const arg of args) {
        const value = arg(current, variables);
        if (isNullish(value)) return null;
        if (typeof value !== 'string') throw expressionError(16702, `$concat only supports strings, not ${typeNameForError(value)}`);
        result += value;
      }
      return result;
    };
  },
  $toLower: (operand, compile, name) => {
    const arg = unary(name, operand, compile);
    return (current, variables) => coercedString(arg(current, variables)).toLowerCase();
  },
  $toUpper: (operand, compile, name) => {
    const arg = unary(name, operand, compile);
    return (current, variables) => coercedString(arg(current, variables)).toUpperCase();
  },
  $substr: substrBytesOperator,
  $substrBytes: substrBytesOperator,
  $substrCP: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 3);
    const [input, start, length] = args.map(compile) as [CompiledExpression, CompiledExpression, CompiledExpression];
    return (current, variables) => {
      const text = coercedString(input(current, variables));
      const begin = integerArgument(name, start(current, variables), 34450);
      const count = integerArgument(name, length(current, variables), 34452);
      if (begin < 0) throw expressionError(34455, `${name}: starting index must be non-negative (got: ${begin})`);
      if (count < 0) throw expressionError(34454, `${name}: length must be a nonnegative integer.`);
      return Array.from(text)
        .slice(begin, begin + count)
        .join('');
    };
  },
  $strLenBytes: (operand, compile, name) => {
    const arg = unary(name, operand, compile);
    return (current, variables) => new Int32(Buffer.byteLength(stringArgument(name, arg(current, variables), 34473), 'utf8'));
  },
  $strLenCP: (operand, compile, name) => {
    const arg = unary(name, operand, compile);
    return (current, variables) => new Int32(Array.from(stringArgument(name, arg(current, variables), 34471)).length);
  },
  $split: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 2);
    const [input, delimiter] = args.map(compile) as [CompiledExpression, CompiledExpression];
    return (current, variables) => {
      const text = input(current, variables);
      const separator = delimiter(current, variables);
      if (isNullish(text) || isNullish(separator)) return null;
      const separatorText = stringArgument(name, separator, 40086);
      if (separatorText === '') throw expressionError(40087, '$split requires a non-empty separator');
      return stringArgument(name, text, 40085).split(separatorText);
    };
  },
  $trim: trimmer('$trim', true, true),
  $ltrim: trimmer('$ltrim', true, false),
  $rtrim: trimmer('$rtrim', false, true),
  $indexOfBytes: indexOf('bytes'),
  $indexOfCP: indexOf('codePoints'),
  $strcasecmp: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 2);
    const [left, right] = args.map(compile) as [CompiledExpression, CompiledExpression];
    return (current, variables) => {
      const order = compareStrings(coercedString(left(current, variables)).toUpperCase(), coercedString(right(current, variables)).toUpperCase());
      return new Int32(order < 0 ? -1 : order > 0 ? 1 : 0);
    };
  },
  $replaceOne: replaceOperator(false),
  $replaceAll: replaceOperator(true),
  $regexFind: regexFindOperator(false),
  $regexFindAll: regexFindOperator(true),
  $regexMatch: (operand, compile) => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('regex' in operand)) {
      throw expressionError(51105, "$regexMatch requires 'input' and 'regex' parameters");
    }
    const input = compile(operand.input);
    const regex = compile(operand.regex);
    const options = operand.options === undefined ? undefined : compile(operand.options);
    return (current, variables) => {
      const text = input(current, variables);
      const pattern = regex(current, variables);
      if (isNullish(pattern)) return false;
      if (isNullish(text)) return false;
      if (typeof text !== 'string') throw expressionError(51104, `$regexMatch needs 'input' to be of type string`);
      const optionText = options === undefined ? '' : options(current, variables);
      const extra = typeof optionText === 'string' ? optionText : '';
      const compiled = isRegexValue(pattern) ? regexFromValue(pattern, extra) : compileRegex(stringArgument('$regexMatch', pattern, 51105), extra);
      return compiled.test(text);
    };
  },
};

function replaceOperator(all: boolean) {
  return (operand: unknown, compile: CompileExpression, name: string): CompiledExpression => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('find' in operand) || !('replacement' in operand)) {
      throw expressionError(51750, `${name} requires 'input', 'find' and 'replacement' parameters`);
    }
    const input = compile(operand.input);
    const find = compile(operand.find);
    const replacement = compile(operand.replacement);
    return (current, variables) => {
      const values = [input(current, variables), find(current, variables), replacement(current, variables)];
      if (values.some(isNullish)) return null;
      const [text, search, substitute] = values.map((value) => stringArgument(name, value, 51746)) as [string, string, string];
      return all ? text.split(search).join(substitute) : text.replace(search, () => substitute);
    };
  };
}

/** $regexFind/$regexFindAll results: {match, idx (code points), captures}. */
function regexFindOperator(all: boolean) {
  return (operand: unknown, compile: CompileExpression, name: string): CompiledExpression => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('regex' in operand)) {
      throw expressionError(51105, `${name} requires 'input' and 'regex' parameters`);
    }
    const input = compile(operand.input);
    const regex = compile(operand.regex);
    const options = operand.options === undefined ? undefined : compile(operand.options);
    return (current, variables) => {
      const text = input(current, variables);
      const pattern = regex(current, variables);
      if (isNullish(text) || isNullish(pattern)) return all ? [] : null;
      const subject = stringArgument(name, text, 51104);
      const optionText = options?.(current, variables);
      const extra = typeof optionText === 'string' ? optionText : '';
      const base = isRegexValue(pattern) ? regexFromValue(pattern, extra) : compileRegex(stringArgument(name, pattern, 51105), extra);
      const global = new RegExp(base.source, `${base.flags}g`);
      const results: Record<string, unknown>[] = [];
      for (const match of subject.matchAll(global)) {
        results.push({
          match: match[0],
          idx: new Int32(Array.from(subject.slice(0, match.index)).length),
          captures: match.slice(1).map((capture) => (capture === undefined ? null : capture)),
        });
        if (!all) break;
        if (match[0] === '') global.lastIndex++;
      }
      return all ? results : (results[0] ?? null);
    };
  };
}

function substrBytesOperator(operand: unknown, compile: CompileExpression, name: string): CompiledExpression {
  const args = operandList(operand);
  requireArgumentCount(name, args, 3);
  const [input, start, length] = args.map(compile) as [CompiledExpression, CompiledExpression, CompiledExpression];
  return (current, variables) => {
    const text = coercedString(input(current, variables));
    const begin = integerArgument(name, start(current, variables), 16034);
    const count = integerArgument(name, length(current, variables), 16035);
    return substringBytes(text, begin, count);
  };
}

function indexOf(unit: 'bytes' | 'codePoints') {
  return (operand: unknown, compile: CompileExpression, name: string): CompiledExpression => {
    const args = operandList(operand);
    if (args.length < 2 || args.length > 4) throw expressionError(28667, `Expression ${name} takes at least 2 arguments, and at most 4`);
    const [input, search, start, end] = args.map(compile) as CompiledExpression[];
    return (current, variables) => {
      const text = input!(current, variables);
      if (isNullish(text)) return null;
      const haystack = stringArgument(name, text, 40091);
      const needle = stringArgument(name, search!(current, variables), 40092);
      const units = unit === 'bytes' ? [...Buffer.from(haystack, 'utf8')] : Array.from(haystack);
      const needleUnits = unit === 'bytes' ? [...Buffer.from(needle, 'utf8')] : Array.from(needle);
      const from = start === undefined ? 0 : integerArgument(name, start(current, variables), 40096);
      const to = end === undefined ? units.length : Math.min(units.length, integerArgument(name, end(current, variables), 40097));
      for (let i = from; i + needleUnits.length <= to; i++) {
        let found = true;
        for (let j = 0; j < needleUnits.length; j++) {
          if (units[i + j] !== needleUnits[j]) {
            found = false;
            break;
          }
        }
        if (found) return new Int32(i);
      }
      return new Int32(-1);
    };
  };
}
