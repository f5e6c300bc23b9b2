export { registerServiceConfigDefaults, getRegisteredConfigDefault, getRegisteredConfigKeys } from './config-registry.js';
export type { ConfigDefault } from './config-registry.js';
export { ConfigStore, createConfigStore } from './config-store.js';
export type { ConfigStoreOptions, ResolvedConfig, ServiceConfigDocument } from './config-store.js';
export { getConfigWithDefault, setDefaultConfigStore, getDefaultConfigStore } from './config-api.js';
export { ConfigValidationError, ConfigNotFoundError } from './config-errors.js';
export type { ConfigSource } from './config-errors.js';
export { maskSensitivePaths, MASK } from './sensitive-paths.js';
export { toConfigEnvName, parseEnvConfigValue, DEFAULT_BRAND, brandFromEnv, requireEnv } from './env-config.js';
