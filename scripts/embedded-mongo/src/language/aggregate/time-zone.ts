import { MongoCommandError } from '../../errors.js';
import { typeNameForError } from './expression-errors.js';

/**
 * Time zones for date expressions: UTC, fixed "+hh:mm" offsets and Olson names
 * ("Europe/Paris"), the latter resolved through the ICU data Node ships (Intl), so daylight
 * saving time follows the same tz database MongoDB uses.
 *
 * Dates are handled as "wall clock" Dates: a Date whose UTC fields read the local time.
 */
export interface TimeZone {
  readonly isUtc: boolean;
  /** Minutes east of UTC at that instant. */
  offsetMinutesAt(instant: Date): number;
}

const UTC: TimeZone = { isUtc: true, offsetMinutesAt: () => 0 };
const zoneCache = new Map<string, TimeZone>();

export function resolveTimeZone(value: unknown): TimeZone {
  if (value === undefined || value === null) return UTC;
  if (typeof value !== 'string') throw new MongoCommandError(40517, `timezone must evaluate to a string, found ${typeNameForError(value)}`);
  let zone = zoneCache.get(value);
  if (zone === undefined) {
    zone = parseTimeZone(value);
    if (zoneCache.size < 1000) zoneCache.set(value, zone);
  }
  return zone;
}

function parseTimeZone(name: string): TimeZone {
  if (name === 'UTC' || name === 'GMT' || name === 'Z' || name === 'Etc/UTC' || name === 'Etc/GMT') return UTC;
  const offset = /^([+-])(\d{2}):?(\d{2})?$/.exec(name);
  if (offset) {
    const minutes = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3] ?? '0'));
    return { isUtc: minutes === 0, offsetMinutesAt: () => minutes };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new MongoCommandError(40485, `unrecognized time zone identifier: "${name}"`);
  }
  return {
    isUtc: false,
    offsetMinutesAt(instant) {
      const parts: Record<string, number> = {};
      for (const part of format.formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
      const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
      const wholeSeconds = instant.getTime() - instant.getUTCMilliseconds();
      return Math.round((wall - wholeSeconds) / 60_000);
    },
  };
}

export function toWallClock(instant: Date, zone: TimeZone): Date {
  if (zone.isUtc) return instant;
  return new Date(instant.getTime() + zone.offsetMinutesAt(instant) * 60_000);
}

/** The instant a wall-clock time denotes; across a DST change the offset is re-read at the guess. */
export function fromWallClock(wall: Date, zone: TimeZone): Date {
  if (zone.isUtc) return wall;
  const guess = new Date(wall.getTime() - zone.offsetMinutesAt(wall) * 60_000);
  return new Date(wall.getTime() - zone.offsetMinutesAt(guess) * 60_000);
}
