/**
 * Field names whose values never reach a log line. pino's redact paths match fixed depths, so
 * each name is listed at the top level and one and two levels down, which covers log calls like
 * `log.info({ user })`, `log.info({ req: { headers } })` and `log.info({ config: { jwt } })`.
 */
export const SENSITIVE_FIELD_NAMES = [
  'password',
  'passwordHash',
  'secret',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'privateKey',
  'authorization',
  'cookie',
  'otp',
  'cardNumber',
  'cvv',
] as const;

export function buildRedactPaths(names: readonly string[] = SENSITIVE_FIELD_NAMES): string[] {
  const paths: string[] = [];
  for (const name of names) {
    paths.push(name, `*.${name}`, `*.*.${name}`);
  }
  // Header objects are the most common carrier of credentials.
  paths.push('headers["x-api-key"]', '*.headers["x-api-key"]', 'headers["set-cookie"]', '*.headers["set-cookie"]');
  return paths;
}

export const REDACTED = '[REDACTED]';
