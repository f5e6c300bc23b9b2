import { Int32 } from 'bson';
import type { ObjectId, Timestamp } from 'bson';
import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { BsonType, bsonTypeCode, isPlainDocument } from '../../values/type-order.js';
import { expressionError, typeNameForError } from '../expression-errors.js';
import type { CompiledExpression, CompileExpression, OperatorTable, Variables } from '../expression-types.js';
import type { Document } from 'bson';

/**
 * Date part extraction and $dateToString, in UTC or a fixed "+hh:mm" offset. Olson time zone
 * names would need a tz database; they fail loudly instead of being read as UTC.
 */
function offsetMinutes(timezone: unknown): number {
  if (timezone === undefined || timezone === null) return 0;
  if (typeof timezone !== 'string') throw expressionError(40517, `timezone must evaluate to a string, found ${typeNameForError(timezone)}`);
  if (timezone === 'UTC' || timezone === 'GMT' || timezone === 'Z' || timezone === 'Etc/UTC') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})?$/.exec(timezone);
  if (match) return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? '0'));
  throw new MongoCommandError(ErrorCode.NotImplemented, `time zone '${timezone}' is not supported by embedded-mongo (use UTC or a +hh:mm offset)`);
}

function dateOf(name: string, value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  switch (bsonTypeCode(value)) {
    case BsonType.date:
      return value as Date;
    case BsonType.objectId:
      return (value as ObjectId).getTimestamp();
    case BsonType.timestamp:
      return new Date((value as Timestamp).high * 1000);
    default:
      throw expressionError(16006, `can't convert from BSON type ${typeNameForError(value)} to Date`);
  }
  void name;
}

/** The operand is either a date expression or `{date, timezone}`. */
function compileDateOperand(operand: unknown, compile: CompileExpression): { date: CompiledExpression; timezone: CompiledExpression | undefined } {
  if (isPlainDocument(operand) && 'date' in operand) {
    return { date: compile(operand.date), timezone: operand.timezone === undefined ? undefined : compile(operand.timezone) };
  }
  const single = Array.isArray(operand) ? (operand.length === 1 ? operand[0] : undefined) : operand;
  if (Array.isArray(operand) && operand.length !== 1) throw expressionError(16020, 'Expression takes exactly 1 arguments.');
  return { date: compile(single), timezone: undefined };
}

/** A Date shifted so that its UTC getters read wall-clock time in the requested offset. */
function shifted(date: Date, minutes: number): Date {
  return minutes === 0 ? date : new Date(date.getTime() + minutes * 60_000);
}

function datePart(extract: (date: Date) => number) {
  return (operand: unknown, compile: CompileExpression, name: string): CompiledExpression => {
    const { date, timezone } = compileDateOperand(operand, compile);
    return (current: Document, variables: Variables | undefined) => {
      const value = dateOf(name, date(current, variables));
      if (value === null) return null;
      const minutes = offsetMinutes(timezone?.(current, variables));
      return new Int32(extract(shifted(value, minutes)));
    };
  };
}

function dayOfYear(date: Date): number {
  return Math.floor((Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatDate(date: Date, format: string, minutes: number): string {
  let result = '';
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      result += char;
      continue;
    }
    const specifier = format[++i];
    switch (specifier) {
      case 'Y':
        result += pad(date.getUTCFullYear(), 4);
        break;
      case 'm':
        result += pad(date.getUTCMonth() + 1, 2);
        break;
      case 'd':
        result += pad(date.getUTCDate(), 2);
        break;
      case 'H':
        result += pad(date.getUTCHours(), 2);
        break;
      case 'M':
        result += pad(date.getUTCMinutes(), 2);
        break;
      case 'S':
        result += pad(date.getUTCSeconds(), 2);
        break;
      case 'L':
        result += pad(date.getUTCMilliseconds(), 3);
        break;
      case 'j':
        result += pad(dayOfYear(date), 3);
        break;
      case 'w':
        result += String(date.getUTCDay() + 1);
        break;
      case 'u':
        result += String(date.getUTCDay() === 0 ? 7 : date.getUTCDay());
        break;
      case 'z': {
        const sign = minutes < 0 ? '-' : '+';
        result += `${sign}${pad(Math.floor(Math.abs(minutes) / 60), 2)}${pad(Math.abs(minutes) % 60, 2)}`;
        break;
      }
      case 'Z':
        result += String(minutes);
        break;
      case '%':
        result += '%';
        break;
      default:
        throw expressionError(18536, `Invalid format character '%${specifier ?? ''}' in format string`);
    }
  }
  return result;
}

export const dateOperators: OperatorTable = {
  $year: datePart((date) => date.getUTCFullYear()),
  $month: datePart((date) => date.getUTCMonth() + 1),
  $dayOfMonth: datePart((date) => date.getUTCDate()),
  $hour: datePart((date) => date.getUTCHours()),
  $minute: datePart((date) => date.getUTCMinutes()),
  $second: datePart((date) => date.getUTCSeconds()),
  $millisecond: datePart((date) => date.getUTCMilliseconds()),
  $dayOfWeek: datePart((date) => date.getUTCDay() + 1),
  $dayOfYear: datePart(dayOfYear),
  $dateToString: (operand, compile) => {
    if (!isPlainDocument(operand) || !('date' in operand)) throw expressionError(18628, "Missing 'date' parameter to $dateToString");
    const date = compile(operand.date);
    const format = operand.format === undefined ? undefined : compile(operand.format);
    const timezone = operand.timezone === undefined ? undefined : compile(operand.timezone);
    const onNull = operand.onNull === undefined ? undefined : compile(operand.onNull);
    return (current, variables) => {
      const value = dateOf('$dateToString', date(current, variables));
      if (value === null) return onNull ? onNull(current, variables) : null;
      const minutes = offsetMinutes(timezone?.(current, variables));
      const formatValue = format?.(current, variables) ?? (minutes === 0 ? '%Y-%m-%dT%H:%M:%S.%LZ' : '%Y-%m-%dT%H:%M:%S.%L');
      if (typeof formatValue !== 'string') throw expressionError(18533, "$dateToString requires that 'format' be a string");
      return formatDate(shifted(value, minutes), formatValue, minutes);
    };
  },
};
