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
