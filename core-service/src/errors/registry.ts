import { CORE_ERROR_CODES } from './core-errors.js';

const registered = new Set<string>(CORE_ERROR_CODES);

/**
 * Every registered code, in registration order. A live list: services register at start-up and
 * the GraphQL `errorCodes` query returns it.
 */
export const errorCodes: readonly string[] = [...CORE_ERROR_CODES];

/** Registers a service's codes (idempotent), e.g. `registerServiceErrorCodes(AUTH_ERROR_CODES)`. */
export function registerServiceErrorCodes(codes: readonly string[] | Readonly<Record<string, string>>): void {
  const list = Array.isArray(codes) ? (codes as readonly string[]) : Object.values(codes);
  for (const code of list) {
    if (registered.has(code)) continue;
    registered.add(code);
    (errorCodes as string[]).push(code);
  }
}

export function getErrorCodes(): string[] {
  return [...errorCodes];
}

export function isRegisteredErrorCode(code: unknown): code is string {
  return typeof code === 'string' && registered.has(code);
}
