import { randomUUID } from 'node:crypto';
import type {
  ClientSession,
  Collection,
  Db,
  Document,
  Filter,
  FindOptions,
  OptionalUnlessRequiredId,
  Sort,
  UpdateFilter,
  WithId,
} from 'mongodb';
import { runAfterCommit } from '../database/after-commit.js';
import type { IndexSpec, ServiceDatabaseAccessor } from '../database/service-accessor.js';
import { getLogger, type Logger } from '../logger/index.js';
import { paginateCollection, type PaginatedResult, type PaginateOptions } from '../pagination/index.js';
import { deserializeCachedDocument, serializeCachedDocument, type RepositoryCache } from './repository-cache.js';
import { validateDocument, type DocumentSchema, type ValidationMode } from './validate-document.js';

/** Every repository document has a string `id` (the public id); `_id` stays internal. */
export interface RepositoryDocument extends Document {
  id: string;
  createdAt?: Date;
  updatedAt?: Date;
}

export interface RepositoryConfig {
  /** The service's accessor (indexes are registered with it), or a fixed database. */
  database: ServiceDatabaseAccessor | Db;
  collection: string;
  /** arktype type of a whole document. */
  schema?: DocumentSchema;
  /** Default `log` when a schema is given. */
  validation?: ValidationMode;
  /** Indexes besides the unique `id` index every repository has. */
  indexes?: readonly IndexSpec[];
  /** Caches `findById`; invalidated after the write's transaction commits. */
  cache?: RepositoryCache;
  cacheTtlSeconds?: number;
  logger?: Logger;
}

/** Per-call options: every method can join a transaction and pick a tenant's database. */
export interface RepositoryCallOptions {
  session?: ClientSession;
  /** Database of this tenant (per-tenant / per-shard strategies); the accessor's default otherwise. */
  tenantId?: string;
}

export interface FindManyOptions<TDoc extends Document> extends RepositoryCallOptions {
  sort?: Sort;
  /** Default and cap 1,000: a repository call never loads a whole collection; page with `paginate`. */
  limit?: number;
  projection?: FindOptions['projection'];
}

/** Fields a caller provides on create; `id` is generated when absent, timestamps are always set. */
export type CreateInput<TDoc extends RepositoryDocument> = Omit<TDoc, 'id' | 'createdAt' | 'updatedAt' | '_id'> & {
  id?: string;
};

export type UpdatePatch<TDoc extends RepositoryDocument> = Partial<Omit<TDoc, 'id' | '_id' | 'createdAt'>>;

export interface Repository<TDoc extends RepositoryDocument> {
  readonly collectionName: string;
  collection(options?: RepositoryCallOptions): Promise<Collection<TDoc>>;
  findById(id: string, options?: RepositoryCallOptions): Promise<WithId<TDoc> | null>;
  findOne(filter: Filter<TDoc>, options?: RepositoryCallOptions): Promise<WithId<TDoc> | null>;
  findMany(filter?: Filter<TDoc>, options?: FindManyOptions<TDoc>): Promise<WithId<TDoc>[]>;
  paginate(
    options: Omit<PaginateOptions<TDoc>, 'session'> & RepositoryCallOptions,
  ): Promise<PaginatedResult<WithId<TDoc>>>;
  create(input: CreateInput<TDoc>, options?: RepositoryCallOptions): Promise<WithId<TDoc>>;
  createMany(inputs: readonly CreateInput<TDoc>[], options?: RepositoryCallOptions): Promise<WithId<TDoc>[]>;
  /** Sets the patch's fields; the updated document, or null when no document has this id. */
  update(id: string, patch: UpdatePatch<TDoc>, options?: RepositoryCallOptions): Promise<WithId<TDoc> | null>;
  /** True when a document was deleted. */
  delete(id: string, options?: RepositoryCallOptions): Promise<boolean>;
  count(filter?: Filter<TDoc>, options?: RepositoryCallOptions): Promise<number>;
  exists(filter: Filter<TDoc>, options?: RepositoryCallOptions): Promise<boolean>;
  /** Creates the indexes in the (tenant's) database now, instead of waiting for `accessor.ensureIndexes()`. */
  ensureIndexes(options?: RepositoryCallOptions): Promise<void>;
}

const MAX_FIND_MANY = 1_000;
const ID_INDEX: IndexSpec = { key: { id: 1 }, name: 'id_unique', unique: true };

function isAccessor(database: ServiceDatabaseAccessor | Db): database is ServiceDatabaseAccessor {
  return typeof (database as ServiceDatabaseAccessor).getDb === 'function';
}

function sessionOption(session: ClientSession | undefined): { session?: ClientSession } {
  return session !== undefined ? { session } : {};
}

/**
 * Typed CRUD over one collection. Reads by id go through the cache when one is configured,
 * except inside a transaction: a transaction may see its own uncommitted writes, which must
 * never reach a cache other requests read.
 */
export function createRepository<TDoc extends RepositoryDocument>(config: RepositoryConfig): Repository<TDoc> {
  const { collection: collectionName, schema, cache } = config;
  const validation: ValidationMode = schema === undefined ? 'off' : (config.validation ?? 'log');
  const partialSchema = schema?.partial?.();
  const cacheTtlSeconds = config.cacheTtlSeconds ?? 300;
  const indexes: IndexSpec[] = [ID_INDEX, ...(config.indexes ?? [])];
  const logger = (): Logger => config.logger ?? getLogger();

  if (isAccessor(config.database)) config.database.registerIndexes(collectionName, indexes);

  async function databaseFor(options: RepositoryCallOptions | undefined): Promise<Db> {
    const { database } = config;
    return isAccessor(database) ? database.getDb(options?.tenantId) : database;
  }

  async function collectionFor(options: RepositoryCallOptions | undefined): Promise<Collection<TDoc>> {
    return (await databaseFor(options)).collection<TDoc>(collectionName);
  }

  /** Keyed by namespace, so two tenants' databases never share a cache entry. */
  function cacheKey(collection: Collection<TDoc>, id: string): string {
    return `repo:${collection.namespace}:${id}`;
  }

  function usesCache(options: RepositoryCallOptions | undefined): boolean {
    return cache !== undefined && !(options?.session?.inTransaction() ?? false);
  }

  async function invalidate(collection: Collection<TDoc>, ids: readonly string[], session: ClientSession | undefined) {
    if (cache === undefined) return;
    await runAfterCommit(session, async () => {
      for (const id of ids) {
        try {
          await cache.delete(cacheKey(collection, id));
        } catch (error) {
          // The write is committed; a cache outage must not turn it into a reported failure.
          // The entry's TTL bounds how long the stale copy can be served.
          logger().warn({ err: error, collection: collectionName, id }, 'cache invalidation failed');
        }
      }
    });
  }

  function check(data: unknown, operation: 'create' | 'update'): void {
    if (validation === 'off') return;
    const target = operation === 'update' ? partialSchema : schema;
    if (target === undefined) return;
    validateDocument(target, data, validation, { collection: collectionName, operation, logger: logger() });
  }

  function newDocument(input: CreateInput<TDoc>, now: Date): TDoc {
    const document = { ...input, id: input.id ?? randomUUID(), createdAt: now, updatedAt: now } as unknown as TDoc;
    check(document, 'create');
    return document;
  }

  const repository: Repository<TDoc> = {
    collectionName,

    collection: collectionFor,

    async findById(id, options) {
      const collection = await collectionFor(options);
      const filter = { id } as Filter<TDoc>;
      if (!usesCache(options)) return collection.findOne(filter, sessionOption(options?.session));

      const key = cacheKey(collection, id);
      try {
        const cached = deserializeCachedDocument<WithId<TDoc>>(await cache!.get(key));
        if (cached !== undefined) return cached;
      } catch (error) {
        logger().warn({ err: error, collection: collectionName, id }, 'cache read failed; reading the database');
      }
      const document = await collection.findOne(filter, sessionOption(options?.session));
      // A read that began before a concurrent update can store the old version after that
      // update's invalidation; the TTL bounds how long such a copy lives.
      if (document !== null) {
        try {
          await cache!.set(key, serializeCachedDocument(document), cacheTtlSeconds);
        } catch (error) {
          logger().warn({ err: error, collection: collectionName, id }, 'cache write failed');
        }
      }
      return document;
    },

    async findOne(filter, options) {
      return (await collectionFor(options)).findOne(filter, sessionOption(options?.session));
    },

    async findMany(filter = {}, options = {}) {
      const limit = Math.min(options.limit ?? MAX_FIND_MANY, MAX_FIND_MANY);
      const collection = await collectionFor(options);
      return collection
        .find(filter, {
          limit,
          ...(options.sort !== undefined ? { sort: options.sort } : {}),
          ...(options.projection !== undefined ? { projection: options.projection } : {}),
          ...sessionOption(options.session),
        })
        .toArray() as Promise<WithId<TDoc>[]>;
    },

    async paginate({ tenantId, session, ...options }) {
      const collection = await collectionFor({ tenantId });
      return paginateCollection(collection, { ...options, ...sessionOption(session) });
    },

    async create(input, options) {
      const document = newDocument(input, new Date());
      const collection = await collectionFor(options);
      const { insertedId } = await collection.insertOne(
        document as OptionalUnlessRequiredId<TDoc>,
        sessionOption(options?.session),
      );
      return { ...document, _id: insertedId } as WithId<TDoc>;
    },

    async createMany(inputs, options) {
      if (inputs.length === 0) return [];
      const now = new Date();
      const documents = inputs.map((input) => newDocument(input, now));
      const collection = await collectionFor(options);
      const { insertedIds } = await collection.insertMany(
        documents as OptionalUnlessRequiredId<TDoc>[],
        sessionOption(options?.session),
      );
      return documents.map((document, index) => ({ ...document, _id: insertedIds[index] }) as WithId<TDoc>);
    },

    async update(id, patch, options) {
      check(patch, 'update');
      const collection = await collectionFor(options);
      const { _id: _ignoredId, id: _ignoredPublicId, createdAt: _ignoredCreatedAt, ...fields } = patch as Document;
      const updated = await collection.findOneAndUpdate(
        { id } as Filter<TDoc>,
        { $set: { ...fields, updatedAt: new Date() } } as UpdateFilter<TDoc>,
        { returnDocument: 'after', ...sessionOption(options?.session) },
      );
      if (updated !== null) await invalidate(collection, [id], options?.session);
      return updated;
    },

    async delete(id, options) {
      const collection = await collectionFor(options);
      const { deletedCount } = await collection.deleteOne({ id } as Filter<TDoc>, sessionOption(options?.session));
      if (deletedCount > 0) await invalidate(collection, [id], options?.session);
      return deletedCount > 0;
    },

    async count(filter = {}, options) {
      return (await collectionFor(options)).countDocuments(filter, sessionOption(options?.session));
    },

    async exists(filter, options) {
      const collection = await collectionFor(options);
      const found = await collection.findOne(filter, { projection: { _id: 1 }, ...sessionOption(options?.session) });
      return found !== null;
    },

    async ensureIndexes(options) {
      const collection = await collectionFor(options);
      await collection.createIndexes(indexes);
    },
  };
  return repository;
}
