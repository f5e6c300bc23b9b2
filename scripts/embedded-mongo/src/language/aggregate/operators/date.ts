import { Int32, Long } from 'bson';
import type { ObjectId, Timestamp } from 'bson';
import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { isNumeric, toDouble } from '../../values/numeric.js';
import { BsonType, bsonTypeCode, isPlainDocument } from '../../values/type-order.js';
import { expressionError, typeNameForError } from '../expression-errors.js';
import type { CompiledExpression, CompileExpression, OperatorTable, Variables } from '../expression-types.js';
import { fromWallClock, resolveTimeZone, toWallClock, type TimeZone } from '../time-zone.js';
import type { Document } from 'bson';

/**
 * Date expressions: parts, formatting, parsing, calendar arithmetic and truncation, in UTC, a
 * fixed offset or an Olson time zone (see time-zone.ts).
 */

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
      throw expressionError(16006, `${name}: can't convert from BSON type ${typeNameForError(value)} to Date`);
  }
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

function datePart(extract: (date: Date) => number) {
  return (operand: unknown, compile: CompileExpression, name: string): CompiledExpression => {
    const { date, timezone } = compileDateOperand(operand, compile);
    return (current: Document, variables: Variables | undefined) => {
      const value = dateOf(name, date(current, variables));
      if (value === null) return null;
      return new Int32(extract(toWallClock(value, resolveTimeZone(timezone?.(current, variables)))));
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

const MILLIS_PER_UNIT: Record<string, number> = {
  millisecond: 1,
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};
const MONTHS_PER_UNIT: Record<string, number> = { month: 1, quarter: 3, year: 12 };
const WEEK_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function unitOf(value: unknown): string {
  if (typeof value !== 'string' || !(value in MILLIS_PER_UNIT || value in MONTHS_PER_UNIT)) {
    throw expressionError(ErrorCode.FailedToParse, `unknown time unit value: ${String(value)}`);
  }
  return value;
}

/** Sunday = 0 ... Saturday = 6, from a day name or its three-letter abbreviation. */
function startOfWeekOf(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const text = String(value).toLowerCase();
  const index = WEEK_DAYS.findIndex((day) => day === text || day.slice(0, 3) === text);
  if (index < 0) throw expressionError(ErrorCode.FailedToParse, `unknown day of week value: ${String(value)}`);
  return index;
}

/** Calendar month arithmetic clamps the day to the target month's length (Jan 31 + 1 month = Feb 28/29). */
function addMonths(wallClock: Date, months: number): Date {
  const year = wallClock.getUTCFullYear();
  const month = wallClock.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const result = new Date(wallClock.getTime());
  result.setUTCFullYear(year, month, Math.min(wallClock.getUTCDate(), lastDay));
  return result;
}

function monthIndex(date: Date): number {
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
}

function truncateDate(wallClock: Date, unit: string, binSize: number, startOfWeek: number): Date {
  if (unit in MONTHS_PER_UNIT) {
    const months = MONTHS_PER_UNIT[unit]! * binSize;
    const sinceReference = monthIndex(wallClock) - 2000 * 12;
    const bin = Math.floor(sinceReference / months) * months + 2000 * 12;
    return new Date(Date.UTC(Math.floor(bin / 12), bin % 12, 1));
  }
  // Bins count from 2000-01-01 (a Saturday); weeks from the first startOfWeek day after it.
  const reference = unit === 'week' ? Date.UTC(2000, 0, 2 + ((startOfWeek + 7) % 7)) : Date.UTC(2000, 0, 1);
  const size = MILLIS_PER_UNIT[unit]! * binSize;
  return new Date(Math.floor((wallClock.getTime() - reference) / size) * size + reference);
}

function isoWeekParts(date: Date): { isoYear: number; isoWeek: number; isoDay: number } {
  const isoDay = date.getUTCDay() === 0 ? 7 : date.getUTCDay();
  const thursday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 4 - isoDay));
  const isoYear = thursday.getUTCFullYear();
  const isoWeek = Math.ceil(((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 + 1) / 7);
  return { isoYear, isoWeek, isoDay };
}

function namedArguments(name: string, operand: unknown, required: string[]): Record<string, unknown> {
  if (!isPlainDocument(operand)) throw expressionError(ErrorCode.FailedToParse, `${name} expects an object as its argument`);
  for (const key of required) {
    if (!(key in operand)) throw expressionError(ErrorCode.FailedToParse, `Missing '${key}' parameter to ${name}`);
  }
  return operand;
}

function compileOptional(compile: CompileExpression, value: unknown): CompiledExpression | undefined {
  return value === undefined ? undefined : compile(value);
}

function integerPart(name: string, value: unknown): number {
  if (!isNumeric(value)) throw expressionError(ErrorCode.TypeMismatch, `${name} requires integer arguments, found ${typeNameForError(value)}`);
  const number = toDouble(value);
  if (!Number.isInteger(number)) throw expressionError(ErrorCode.TypeMismatch, `${name} requires integer arguments, found ${number}`);
  return number;
}

function dateArithmetic(sign: 1 | -1) {
  return (operand: unknown, compile: CompileExpression, name: string): CompiledExpression => {
    const spec = namedArguments(name, operand, ['startDate', 'unit', 'amount']);
    const start = compile(spec.startDate);
    const unit = compile(spec.unit);
    const amount = compile(spec.amount);
    const timezone = compileOptional(compile, spec.timezone);
    return (current, variables) => {
      const date = dateOf(name, start(current, variables));
      const unitValue = unit(current, variables);
      const amountValue = amount(current, variables);
      if (date === null || unitValue === null || unitValue === undefined || amountValue === null || amountValue === undefined) return null;
      const resolvedUnit = unitOf(unitValue);
      const count = integerPart(name, amountValue) * sign;
      if (resolvedUnit in MONTHS_PER_UNIT) {
        const zone = resolveTimeZone(timezone?.(current, variables));
        const moved = addMonths(toWallClock(date, zone), count * MONTHS_PER_UNIT[resolvedUnit]!);
        return fromWallClock(moved, zone);
      }
      return new Date(date.getTime() + count * MILLIS_PER_UNIT[resolvedUnit]!);
    };
  };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

function parseDateString(text: string, timezone: TimeZone): Date | undefined {
  const match = ISO_DATE.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, millis, zone] = match;
  let offset = timezone;
  if (zone !== undefined) offset = resolveTimeZone(zone === 'Z' ? 'UTC' : zone);
  const utc = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), Number((millis ?? '0').padEnd(3, '0')));
  return fromWallClock(new Date(utc), offset);
}

/** Parses `text` against a $dateFromString format (%Y %m %d %H %M %S %L %j %z %Z %%); undefined when it does not fit. */
function parseFormattedDate(text: string, format: string, zone: TimeZone): Date | undefined {
  const fields = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0, dayOfYear: 0 };
  let offset: TimeZone = zone;
  let position = 0;
  const readNumber = (maxDigits: number): number | undefined => {
    const match = new RegExp(`^\\d{1,${maxDigits}}`).exec(text.slice(position));
    if (!match) return undefined;
    position += match[0].length;
    return Number(match[0]);
  };
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      if (text[position] !== char) return undefined;
      position++;
      continue;
    }
    const specifier = format[++i];
    const targets: Record<string, [keyof typeof fields, number]> = {
      Y: ['year', 4],
      m: ['month', 2],
      d: ['day', 2],
      H: ['hour', 2],
      M: ['minute', 2],
      S: ['second', 2],
      L: ['millisecond', 3],
      j: ['dayOfYear', 3],
    };
    const target = specifier === undefined ? undefined : targets[specifier];
    if (target !== undefined) {
      const value = readNumber(target[1]);
      if (value === undefined) return undefined;
      fields[target[0]] = value;
    } else if (specifier === 'z' || specifier === 'Z') {
      const match = specifier === 'z' ? /^(Z|[+-]\d{2}:?\d{2})/.exec(text.slice(position)) : /^[+-]?\d+/.exec(text.slice(position));
      if (!match) return undefined;
      position += match[0].length;
      if (specifier === 'Z') {
        const minutes = Number(match[0]);
        offset = { isUtc: minutes === 0, offsetMinutesAt: () => minutes };
      } else {
        offset = resolveTimeZone(match[0] === 'Z' ? 'UTC' : match[0].length === 5 ? `${match[0].slice(0, 3)}:${match[0].slice(3)}` : match[0]);
      }
    } else if (specifier === '%') {
      if (text[position] !== '%') return undefined;
      position++;
    } else {
      throw expressionError(18536, `Invalid format character '%${specifier ?? ''}' in format string`);
    }
  }
  if (position !== text.length) return undefined;
  const wall =
    fields.dayOfYear > 0
      ? Date.UTC(fields.year, 0, fields.dayOfYear, fields.hour, fields.minute, fields.second, fields.millisecond)
      : Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second, fields.millisecond);
  return fromWallClock(new Date(wall), offset);
}

export const dateOperators: OperatorTable = {
  $isoDayOfWeek: datePart((date) => isoWeekParts(date).isoDay),
  $isoWeek: datePart((date) => isoWeekParts(date).isoWeek),
  $isoWeekYear: datePart((date) => isoWeekParts(date).isoYear),
  $week: datePart((date) => Math.floor((dayOfYear(date) - 1 + 7 - date.getUTCDay()) / 7)),
  $dateAdd: dateArithmetic(1),
  $dateSubtract: dateArithmetic(-1),
  $dateDiff: (operand, compile, name) => {
    const spec = namedArguments(name, operand, ['startDate', 'endDate', 'unit']);
    const start = compile(spec.startDate);
    const end = compile(spec.endDate);
    const unit = compile(spec.unit);
    const timezone = compileOptional(compile, spec.timezone);
    const startOfWeek = compileOptional(compile, spec.startOfWeek);
    return (current, variables) => {
      const from = dateOf(name, start(current, variables));
      const to = dateOf(name, end(current, variables));
      const unitValue = unit(current, variables);
      if (from === null || to === null || unitValue === null || unitValue === undefined) return null;
      const resolvedUnit = unitOf(unitValue);
      const zone = resolveTimeZone(timezone?.(current, variables));
      const weekStart = startOfWeekOf(startOfWeek?.(current, variables));
      // The number of unit boundaries crossed, as MongoDB counts them.
      const a = truncateDate(toWallClock(from, zone), resolvedUnit, 1, weekStart);
      const b = truncateDate(toWallClock(to, zone), resolvedUnit, 1, weekStart);
      const difference = resolvedUnit in MONTHS_PER_UNIT ? (monthIndex(b) - monthIndex(a)) / MONTHS_PER_UNIT[resolvedUnit]! : Math.round((b.getTime() - a.getTime()) / MILLIS_PER_UNIT[resolvedUnit]!);
      return Long.fromNumber(difference);
    };
  },
  $dateTrunc: (operand, compile, name) => {
    const spec = namedArguments(name, operand, ['date', 'unit']);
    const date = compile(spec.date);
    const unit = compile(spec.unit);
    const binSize = compileOptional(compile, spec.binSize);
    const timezone = compileOptional(compile, spec.timezone);
    const startOfWeek = compileOptional(compile, spec.startOfWeek);
    return (current, variables) => {
      const value = dateOf(name, date(current, variables));
      const unitValue = unit(current, variables);
      if (value === null || unitValue === null || unitValue === undefined) return null;
      const size = binSize === undefined ? 1 : integerPart(name, binSize(current, variables));
      if (size <= 0) throw expressionError(5439017, `${name} requires 'binSize' to be greater than 0`);
      const zone = resolveTimeZone(timezone?.(current, variables));
      const truncated = truncateDate(toWallClock(value, zone), unitOf(unitValue), size, startOfWeekOf(startOfWeek?.(current, variables)));
      return fromWallClock(truncated, zone);
    };
  },
  $dateFromParts: (operand, compile, name) => {
    const spec = namedArguments(name, operand, []);
    const isIso = 'isoWeekYear' in spec;
    if (!isIso && !('year' in spec)) throw expressionError(40516, `${name} requires either 'year' or 'isoWeekYear' to be present`);
    const parts = Object.fromEntries(
      ['year', 'month', 'day', 'hour', 'minute', 'second', 'millisecond', 'isoWeekYear', 'isoWeek', 'isoDayOfWeek'].map((key) => [key, compileOptional(compile, spec[key])]),
    );
    const timezone = compileOptional(compile, spec.timezone);
    return (current, variables) => {
      const read = (key: string, fallback: number): number | null => {
        const expression = parts[key];
        if (expression === undefined) return fallback;
        const value = expression(current, variables);
        return value === null || value === undefined ? null : integerPart(name, value);
      };
      const values = isIso ? [read('isoWeekYear', 0), read('isoWeek', 1), read('isoDayOfWeek', 1)] : [read('year', 0), read('month', 1), read('day', 1)];
      const time = [read('hour', 0), read('minute', 0), read('second', 0), read('millisecond', 0)];
      if ([...values, ...time].some((value) => value === null)) return null;
      const [hour, minute, second, millisecond] = time as number[];
      let utc: number;
      if (isIso) {
        const [isoYear, isoWeek, isoDay] = values as number[];
        const january4 = new Date(Date.UTC(isoYear!, 0, 4));
        const week1Monday = Date.UTC(isoYear!, 0, 4 - ((january4.getUTCDay() + 6) % 7));
        utc = week1Monday + ((isoWeek! - 1) * 7 + (isoDay! - 1)) * 86_400_000 + Date.UTC(1970, 0, 1, hour!, minute!, second!, millisecond!);
      } else {
        const [year, month, day] = values as number[];
        const result = new Date(Date.UTC(2000, month! - 1, day!, hour!, minute!, second!, millisecond!));
        result.setUTCFullYear(year! + result.getUTCFullYear() - 2000);
        utc = result.getTime();
      }
      return fromWallClock(new Date(utc), resolveTimeZone(timezone?.(current, variables)));
    };
  },
  $dateToParts: (operand, compile, name) => {
    const spec = namedArguments(name, operand, ['date']);
    const date = compile(spec.date);
    const timezone = compileOptional(compile, spec.timezone);
    const iso = compileOptional(compile, spec.iso8601);
    return (current, variables) => {
      const value = dateOf(name, date(current, variables));
      if (value === null) return null;
      const local = toWallClock(value, resolveTimeZone(timezone?.(current, variables)));
      const time = {
        hour: new Int32(local.getUTCHours()),
        minute: new Int32(local.getUTCMinutes()),
        second: new Int32(local.getUTCSeconds()),
        millisecond: new Int32(local.getUTCMilliseconds()),
      };
      if (iso?.(current, variables) === true) {
        const { isoYear, isoWeek, isoDay } = isoWeekParts(local);
        return { isoWeekYear: new Int32(isoYear), isoWeek: new Int32(isoWeek), isoDayOfWeek: new Int32(isoDay), ...time };
      }
      return { year: new Int32(local.getUTCFullYear()), month: new Int32(local.getUTCMonth() + 1), day: new Int32(local.getUTCDate()), ...time };
    };
  },
  $dateFromString: (operand, compile, name) => {
    const spec = namedArguments(name, operand, ['dateString']);
    const format = compileOptional(compile, spec.format);
    const input = compile(spec.dateString);
    const timezone = compileOptional(compile, spec.timezone);
    const onError = compileOptional(compile, spec.onError);
    const onNull = compileOptional(compile, spec.onNull);
    return (current, variables) => {
      const value = input(current, variables);
      if (value === null || value === undefined) return onNull ? onNull(current, variables) : null;
      const zone = resolveTimeZone(timezone?.(current, variables));
      const formatValue = format?.(current, variables);
      if (formatValue !== undefined && typeof formatValue !== 'string') throw expressionError(40684, `$dateFromString requires that 'format' be a string`);
      const parsed = typeof value !== 'string' ? undefined : formatValue === undefined ? parseDateString(value, zone) : parseFormattedDate(value, formatValue, zone);
      if (parsed === undefined || Number.isNaN(parsed.getTime())) {
        if (onError) return onError(current, variables);
        throw new MongoCommandError(ErrorCode.ConversionFailure, `Error parsing date string '${String(value)}'`);
      }
      return parsed;
    };
  },
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
      const zone = resolveTimeZone(timezone?.(current, variables));
      const minutes = zone.offsetMinutesAt(value);
      const formatValue = format?.(current, variables) ?? (zone.isUtc ? '%Y-%m-%dT%H:%M:%S.%LZ' : '%Y-%m-%dT%H:%M:%S.%L');
      if (typeof formatValue !== 'string') throw expressionError(18533, "$dateToString requires that 'format' be a string");
      return formatDate(toWallClock(value, zone), formatValue, minutes);
    };
  },
};
