/** `('auth-service', 'otpLength')` → `AUTH_SERVICE_OTP_LENGTH`. */
export function toConfigEnvName(service: string, key: string): string {
  const snake = (text: string): string =>
    text
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^a-zA-Z0-9]+/g, '_')
      .toUpperCase();
  return `${snake(service)}_${snake(key)}`;
}

/** Env values are JSON when they parse as JSON (`6`, `true`, `{"a":1}`), else plain strings. */
export function parseEnvConfigValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * The brand when `BRAND` is unset: one default for every service and the gateway, since the
 * brand prefixes shared Redis keys (session revocations, events) that they must agree on.
 */
export const DEFAULT_BRAND = 'demo';

/** `BRAND` from the environment, or the platform's one default. */
export function brandFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const brand = env['BRAND'];
  return brand === undefined || brand === '' ? DEFAULT_BRAND : brand;
}

/**
 * A start-up setting from the environment: its value, else `fallback`, else a refusal to start
 * that names the service and the variable (never its value).
 */
export function requireEnv(service: string, name: string, fallback?: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name] === undefined || env[name] === '' ? fallback : env[name];
  if (value === undefined || value === '') throw new Error(`${service}: environment variable ${name} is required`);
  return value;
}
