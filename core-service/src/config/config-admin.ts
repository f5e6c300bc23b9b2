import { isDeepStrictEqual } from 'node:util';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Collection, Db, MongoClient } from 'mongodb';
import type { AuditActor } from '../audit/audit-entry.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { withTransaction } from '../database/transaction.js';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { GraphQLError } from '../errors/graphql-error.js';
import { CONFIG_CATALOG_COLLECTION, CONFIG_SERVICES_COLLECTION, type ConfigCatalogDocument } from './config-catalog.js';
import type { ConfigStore, ServiceConfigDocument } from './config-store.js';
import { MASK, maskSensitivePaths, normalizeSensitivePath } from './sensitive-paths.js';

/** `ConfigEntry` of the public API (API.md, admin section). */
export interface ConfigEntryView {
  service: string;
  key: string;
  value: unknown;
  defaultValue: unknown;
  source: 'ENV' | 'STORED' | 'DEFAULT';
  sensitive: boolean;
  description: string | null;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface ConfigAdminOptions {
  client: MongoClient;
  /** The `core_service` database (catalog, stored values, audit log). */
  db: Db;
  /** Announces each change so every instance of the owning service reloads it. */
  store: ConfigStore;
  audit?: AuditTrail;
}

export interface ConfigChangeBy {
  actor: AuditActor;
  /** The admin's tenant: the audit entry goes to its chain. */
  tenantId: string;
}

/** Stored documents written by a service from its defaults carry this `updatedBy`. */
const FROM_DEFAULTS = 'defaults';

/**
 * The admin side of dynamic config, for every service at once: lists what each service
 * published (`publishConfigCatalog`), validates writes against the key's JSON Schema, stores
 * them in one transaction with their audit entry (before/after masked), and announces them so
 * every instance of the owning service applies them without a restart.
 */
export class ConfigAdmin {
  readonly #catalog: Collection<ConfigCatalogDocument>;
  readonly #stored: Collection<ServiceConfigDocument>;
  readonly #ajv = new Ajv2020({ allErrors: true, strict: false });
  readonly #validators = new Map<string, { publishedAt: number; validate: ValidateFunction }>();

  constructor(private readonly options: ConfigAdminOptions) {
    this.#catalog = options.db.collection<ConfigCatalogDocument>(CONFIG_CATALOG_COLLECTION);
    this.#stored = options.db.collection<ServiceConfigDocument>('service_configs');
    addFormats.default(this.#ajv);
  }

  /** Every key of `service` (or of every service), masked. An unknown service is NOT_FOUND. */
  async list(service?: string): Promise<ConfigEntryView[]> {
    const filter = service !== undefined ? { service } : {};
    const [entries, stored] = await Promise.all([this.#catalog.find(filter).sort({ service: 1, key: 1 }).toArray(), this.#stored.find(filter).toArray()]);
    const services = this.options.db.collection<{ _id: string }>(CONFIG_SERVICES_COLLECTION);
    if (service !== undefined && entries.length === 0 && (await services.countDocuments({ _id: service }, { limit: 1 })) === 0) {
      const known = (await services.distinct('_id')).sort();
      throw new GraphQLError(CORE_ERRORS.NotFound, { service, knownServices: known }, { message: `No config keys published by service '${service}'` });
    }
    const byKey = new Map(stored.map((document) => [`${document.service}/${document.key}`, document]));
    return entries.map((entry) => toView(entry, byKey.get(entry._id) ?? null));
  }

  async set(service: string, key: string, value: unknown, by: ConfigChangeBy): Promise<ConfigEntryView> {
    const entry = await this.#entry(service, key);
    if (entry.envSet) {
      throw new GraphQLError(
        CORE_ERRORS.BadUserInput,
        { service, key, reason: 'ENV_OVERRIDE', envName: entry.envName },
        {
          message: `${service}.${key} is set by the environment variable ${entry.envName}, which wins over stored values; change it there`,
        },
      );
    }
    const view = await withTransaction({
      client: this.options.client,
      fn: async (session) => {
        const before = await this.#stored.findOne({ service, key }, { session });
        // An editor sends back what it was shown: a masked secret left as '***' keeps its value.
        const next = keepMaskedSecrets(key, value, before?.value, entry.sensitivePaths);
        this.#validate(entry, next);
        const updatedAt = new Date();
        const updatedBy = by.actor.id ?? by.actor.type;
        await this.#stored.updateOne({ service, key }, { $set: { value: next, sensitivePaths: entry.sensitivePaths, updatedAt, updatedBy } }, { session, upsert: true });
        await this.options.audit?.record(
          {
            tenantId: by.tenantId,
            category: 'admin',
            action: 'config.set',
            resource: { type: 'config', id: entry._id },
            actor: by.actor,
            before: before === null ? null : maskSensitivePaths(key, before.value, entry.sensitivePaths),
            after: maskSensitivePaths(key, next, entry.sensitivePaths),
          },
          { session },
        );
        return toView(entry, { service, key, value: next, sensitivePaths: entry.sensitivePaths, updatedAt, updatedBy });
      },
    });
    await this.options.store.notifyChanged(service, key);
    return view;
  }

  /** Back to the env value or the default: the stored value is deleted. */
  async reset(service: string, key: string, by: ConfigChangeBy): Promise<ConfigEntryView> {
    const entry = await this.#entry(service, key);
    const view = await withTransaction({
      client: this.options.client,
      fn: async (session) => {
        const before = await this.#stored.findOneAndDelete({ service, key }, { session });
        await this.options.audit?.record(
          {
            tenantId: by.tenantId,
            category: 'admin',
            action: 'config.reset',
            resource: { type: 'config', id: entry._id },
            actor: by.actor,
            before: before === null ? null : maskSensitivePaths(key, before.value, entry.sensitivePaths),
            after: entry.envSet ? entry.envValue : entry.defaultValue,
          },
          { session },
        );
        return toView(entry, null);
      },
    });
    await this.options.store.notifyChanged(service, key);
    return view;
  }

  async #entry(service: string, key: string): Promise<ConfigCatalogDocument> {
    const entry = await this.#catalog.findOne({ _id: `${service}/${key}` });
    if (entry === null) throw new GraphQLError(CORE_ERRORS.NotFound, { service, key }, { message: `No config key ${service}.${key}` });
    return entry;
  }

  #validate(entry: ConfigCatalogDocument, value: unknown): void {
    if (entry.jsonSchema === null) return;
    let cached = this.#validators.get(entry._id);
    if (cached === undefined || cached.publishedAt !== entry.publishedAt.getTime()) {
      cached = { publishedAt: entry.publishedAt.getTime(), validate: this.#ajv.compile(entry.jsonSchema) };
      this.#validators.set(entry._id, cached);
    }
    if (cached.validate(value)) return;
    // One message per path: a union (`string.url | null`) reports each branch and the union.
    const byPath = new Map<string, string>();
    for (const error of cached.validate.errors ?? []) {
      const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
      if (!byPath.has(path)) byPath.set(path, error.message ?? 'is invalid');
    }
    const fields = [...byPath].map(([path, message]) => ({ path, message }));
    throw new GraphQLError(
      CORE_ERRORS.BadUserInput,
      { service: entry.service, key: entry.key, fields },
      {
        message: `Invalid value for ${entry.service}.${entry.key}: ${fields.map((field) => `${field.path || '(value)'} ${field.message}`).join('; ')}`,
      },
    );
  }
}

function toView(entry: ConfigCatalogDocument, stored: ServiceConfigDocument | null): ConfigEntryView {
  const sensitive = entry.sensitivePaths.length > 0;
  const base = { service: entry.service, key: entry.key, defaultValue: entry.defaultValue, sensitive, description: entry.description };
  if (entry.envSet) return { ...base, value: entry.envValue ?? null, source: 'ENV', updatedAt: null, updatedBy: null };
  // A document the service wrote from its own default is still the default.
  if (stored !== null && !(stored.updatedBy === FROM_DEFAULTS && isDeepStrictEqual(maskSensitivePaths(entry.key, stored.value, entry.sensitivePaths), entry.defaultValue))) {
    return { ...base, value: maskSensitivePaths(entry.key, stored.value, entry.sensitivePaths), source: 'STORED', updatedAt: stored.updatedAt, updatedBy: stored.updatedBy ?? null };
  }
  return { ...base, value: entry.defaultValue, source: 'DEFAULT', updatedAt: null, updatedBy: null };
}

/** `value` with every sensitive path that holds the mask replaced by the current secret. */
function keepMaskedSecrets(key: string, value: unknown, current: unknown, sensitivePaths: readonly string[]): unknown {
  if (sensitivePaths.length === 0) return value;
  let result = structuredClone(value);
  for (const raw of sensitivePaths) {
    const path = normalizeSensitivePath(key, raw);
    if (path === '') {
      if (result === MASK) result = secretOrRefuse(key, raw, current);
      continue;
    }
    const segments = path.split('.');
    const holder = walk(result, segments.slice(0, -1));
    const last = segments.at(-1)!;
    if (holder !== undefined && holder[last] === MASK) holder[last] = secretOrRefuse(key, raw, walk(current, segments.slice(0, -1))?.[last]);
  }
  return result;
}

function secretOrRefuse(key: string, path: string, current: unknown): unknown {
  if (current !== undefined) return current;
  throw new GraphQLError(CORE_ERRORS.BadUserInput, { key, path, reason: 'MASKED_SECRET' }, { message: `'${MASK}' at ${path} stands for a stored secret, and none is stored: give the value` });
}

function walk(value: unknown, segments: readonly string[]): Record<string, unknown> | undefined {
  let target = value;
  for (const segment of segments) {
    if (target === null || typeof target !== 'object') return undefined;
    target = (target as Record<string, unknown>)[segment];
  }
  return target !== null && typeof target === 'object' ? (target as Record<string, unknown>) : undefined;
}
