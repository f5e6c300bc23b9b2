import { ArkErrors } from 'arktype';
import { toInvalidFields } from '../validation/validation-error.js';
import { ConfigNotFoundError, ConfigValidationError } from './config-errors.js';
import { getRegisteredConfigDefault } from './config-registry.js';
import type { ConfigStore } from './config-store.js';
import { parseEnvConfigValue, toConfigEnvName } from './env-config.js';

let defaultStore: ConfigStore | undefined;

/** The store `getConfigWithDefault` reads through (set once at start-up). */
export function setDefaultConfigStore(store: ConfigStore | undefined): void {
  defaultStore = store;
}

export function getDefaultConfigStore(): ConfigStore | undefined {
  return defaultStore;
}

/**
 * The brief's entry point: env > store > registered default, creating the stored document from
 * the default when missing. Without a store (no MongoDB configured) it resolves env > default.
 */
export async function getConfigWithDefault<T>(service: string, key: string): Promise<T> {
  if (defaultStore !== undefined) return defaultStore.getWithDefault<T>(service, key);
  const registered = getRegisteredConfigDefault(service, key);
  const envRaw = process.env[toConfigEnvName(service, key)];
  const [value, source] = envRaw !== undefined ? [parseEnvConfigValue(envRaw), 'env' as const] : [registered?.value, 'default' as const];
  if (envRaw === undefined && registered === undefined) throw new ConfigNotFoundError(service, key);
  const out = registered?.schema?.(value);
  if (out instanceof ArkErrors) throw new ConfigValidationError(service, key, source, toInvalidFields(out));
  return value as T;
}
