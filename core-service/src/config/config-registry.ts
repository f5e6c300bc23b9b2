import type { Type } from 'arktype';

export interface ConfigDefault<T = unknown> {
  value: T;
  /**
   * Dotted paths inside the value that are secret (`'secret'` or, as the brief writes it,
   * `'jwt.secret'` for key `jwt`). Masked in every read that leaves the service.
   */
  sensitivePaths?: readonly string[];
  /** Checked on every read and write; a bad value is a `ConfigValidationError`. */
  schema?: Type<T>;
  description?: string;
}

const registry = new Map<string, Map<string, ConfigDefault>>();

/** Registers a service's config keys with their defaults (at start-up, before reads). */
export function registerServiceConfigDefaults(service: string, defaults: Readonly<Record<string, ConfigDefault>>): void {
  let keys = registry.get(service);
  if (keys === undefined) {
    keys = new Map();
    registry.set(service, keys);
  }
  for (const [key, definition] of Object.entries(defaults)) keys.set(key, definition);
}

export function getRegisteredConfigDefault(service: string, key: string): ConfigDefault | undefined {
  return registry.get(service)?.get(key);
}

export function getRegisteredConfigKeys(service: string): string[] {
  return [...(registry.get(service)?.keys() ?? [])];
}
