export const MASK = '***';

/** `'jwt.secret'` under key `jwt` and `'secret'` both mean the value's `secret` field. */
export function normalizeSensitivePath(key: string, path: string): string {
  return path === key ? '' : path.startsWith(`${key}.`) ? path.slice(key.length + 1) : path;
}

/**
 * A copy of `value` with every sensitive path replaced by `***`. A path naming the whole value
 * (the key itself) masks it entirely. Paths that do not exist are ignored.
 */
export function maskSensitivePaths(key: string, value: unknown, paths: readonly string[]): unknown {
  if (paths.length === 0) return value;
  let masked: unknown = structuredClone(value);
  for (const raw of paths) {
    const path = normalizeSensitivePath(key, raw);
    if (path === '') return MASK;
    masked = maskPath(masked, path.split('.'));
  }
  return masked;
}

function maskPath(target: unknown, segments: string[]): unknown {
  if (target === null || typeof target !== 'object') return target;
  const [head, ...rest] = segments;
  if (head === undefined) return target;
  const record = target as Record<string, unknown>;
  if (head === '*') {
    for (const name of Object.keys(record)) record[name] = rest.length === 0 ? MASK : maskPath(record[name], rest);
    return target;
  }
  if (!(head in record)) return target;
  record[head] = rest.length === 0 ? MASK : maskPath(record[head], rest);
  return target;
}
