const dateTime = new Map<string, Intl.DateTimeFormat>();

/** Dates for people, with Intl.DateTimeFormat in the browser's locale. */
export function formatDateTime(iso: string | null | undefined, style: 'short' | 'medium' = 'medium'): string {
  if (!iso) return '—';
  let formatter = dateTime.get(style);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(undefined, { dateStyle: style, timeStyle: 'short' });
    dateTime.set(style, formatter);
  }
  return formatter.format(new Date(iso));
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(iso));
}

const clock = new Map<string, Intl.DateTimeFormat>();

/** A time of day with seconds ("10:04:31 AM"), for "Updated …" lines of pages that refresh themselves. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  let formatter = clock.get('medium');
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
    clock.set('medium', formatter);
  }
  return formatter.format(new Date(iso));
}

let relative: Intl.RelativeTimeFormat | undefined;

/**
 * How long before `now` an instant was, in words ("now", "12 seconds ago", "3 minutes ago"), with
 * Intl.RelativeTimeFormat. Both instants come from the same source (e.g. a server's report and the
 * time it was read), so a wrong clock in the browser does not skew it; a small negative gap (clocks
 * of two servers) reads as "now".
 */
export function formatTimeAgo(iso: string, now: string | number = Date.now()): string {
  relative ??= new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const seconds = Math.max(0, Math.round((new Date(now).getTime() - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return relative.format(-seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return relative.format(-minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return relative.format(-hours, 'hour');
  return relative.format(-Math.floor(hours / 24), 'day');
}

const numbers = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let formatter = numbers.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(undefined, options);
    numbers.set(key, formatter);
  }
  return formatter;
}

/** A count ("1,234"). */
export function formatCount(value: number): string {
  return numberFormat('count', { maximumFractionDigits: 0 }).format(value);
}

/** A duration given in seconds, in the largest sensible unit ("850 ms", "12 sec", "3.5 min", "2 hr"). */
export function formatSeconds(seconds: number): string {
  if (seconds < 1 && seconds > 0) return formatMilliseconds(seconds * 1000);
  if (seconds < 60) return numberFormat('second', { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 0 }).format(seconds);
  if (seconds < 3600) return numberFormat('minute', { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 }).format(seconds / 60);
  return numberFormat('hour', { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(seconds / 3600);
}

/** A latency in milliseconds ("2.4 ms", "130 ms"). */
export function formatMilliseconds(ms: number): string {
  return numberFormat('ms', { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: ms < 10 ? 1 : 0 }).format(ms);
}
