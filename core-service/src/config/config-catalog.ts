import type { Db } from 'mongodb';
import { getRegisteredConfigDefault, getRegisteredConfigKeys } from './config-registry.js';
import { parseEnvConfigValue, toConfigEnvName } from './env-config.js';
import { maskSensitivePaths } from './sensitive-paths.js';

/**
 * What a service says about its config keys, in `core_service.config_catalog`: defaults and
 * schemas live in each service's code, but `serviceConfigs` / `setServiceConfig` are served by
 * one subgraph for all of them, so each service publishes its keys at start-up. The schema goes
 * as JSON Schema (from arktype), so the serving subgraph validates a write exactly as the
 * owning service will when it reloads.
 */
export interface ConfigCatalogDocument {
  _id: string;
  service: string;
  key: string;
  description: string | null;
  sensitivePaths: string[];
  /** Masked. */
  defaultValue: unknown;
  jsonSchema: Record<string, unknown> | null;
  envName: string;
  /** Whether the publishing instance had the env override set, and its value, masked. */
  envSet: boolean;
  envValue?: unknown;
  publishedAt: Date;
}

export const CONFIG_CATALOG_COLLECTION = 'config_catalog';
/** One document per service that ever published (with or without keys): `serviceConfigs` knows it. */
export const CONFIG_SERVICES_COLLECTION = 'config_services';

/**
 * arktype → JSON Schema. Predicates JSON Schema cannot express fall back to their base type;
 * URLs become `format: uri`. A key without a schema gets the JSON type of its default, so a
 * write cannot at least replace an object by a string.
 */
export function configJsonSchema(service: string, key: string): Record<string, unknown> | null {
  const registered = getRegisteredConfigDefault(service, key);
  if (registered === undefined) return null;
  if (registered.schema !== undefined) {
    return registered.schema.toJsonSchema({
      fallback: {
        predicate: (ctx) => (ctx.predicate.name === 'isParsableUrl' ? { ...ctx.base, format: 'uri' } : ctx.base),
        default: (ctx) => ctx.base,
      },
    }) as Record<string, unknown>;
  }
  const value = registered.value;
  const jsonType = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  return { type: jsonType };
}

/** Upserts the catalog entries of every key `service` registered (call at start-up, after registering). */
export async function publishConfigCatalog(db: Db, service: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<void> {
  const collection = db.collection<ConfigCatalogDocument>(CONFIG_CATALOG_COLLECTION);
  const now = new Date();
  const keys = getRegisteredConfigKeys(service);
  await db.collection<{ _id: string; keys: number; publishedAt: Date }>(CONFIG_SERVICES_COLLECTION).updateOne({ _id: service }, { $set: { keys: keys.length, publishedAt: now } }, { upsert: true });
  if (keys.length === 0) return;
  await collection.bulkWrite(
    keys.map((key) => {
      const registered = getRegisteredConfigDefault(service, key)!;
      const sensitivePaths = [...(registered.sensitivePaths ?? [])];
      const envName = toConfigEnvName(service, key);
      const envRaw = env[envName];
      const document: ConfigCatalogDocument = {
        _id: `${service}/${key}`,
        service,
        key,
        description: registered.description ?? null,
        sensitivePaths,
        defaultValue: maskSensitivePaths(key, registered.value, sensitivePaths),
        jsonSchema: configJsonSchema(service, key),
        envName,
        envSet: envRaw !== undefined,
        ...(envRaw !== undefined ? { envValue: maskSensitivePaths(key, parseEnvConfigValue(envRaw), sensitivePaths) } : {}),
        publishedAt: now,
      };
      return { replaceOne: { filter: { _id: document._id }, replacement: document, upsert: true } };
    }),
    { ordered: false },
  );
}
