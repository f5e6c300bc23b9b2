import { trace } from '@opentelemetry/api';
import { ObjectId, type ClientSession, type Collection, type Db, type Filter } from 'mongodb';
import { runAfterCommit } from '../database/after-commit.js';
import { joinInsertBatch } from '../database/insert-batch.js';
import { getCorrelationContext } from '../logger/correlation.js';
import { paginateCollection, type PaginatedResult } from '../pagination/paginate-collection.js';
import { AUDIT_LOG_COLLECTION, type AuditActor, type AuditCategory, type AuditEntryDocument, type AuditEvent, type AuditOutcome } from './audit-entry.js';

export interface AuditTrailOptions {
  /** The `core_service` database: one log for the platform, chained per tenant. */
  db: Db;
  /** The service writing (kept on every entry). */
  service: string;
}

export interface AuditLogFilter {
  category?: AuditCategory;
  /** Exact action, or a prefix ending in `.` (`transfer.` for every transfer action). */
  action?: string;
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
  from?: Date;
  to?: Date;
}

/** Called once an entry is committed (the sealer uses it to seal now instead of at its next tick). */
type RecordListener = () => void;

/**
 * The append-only audit log. `record` inside the change's transaction (pass its session) makes
 * the entry and the change one atomic write: neither exists without the other. Entries are
 * chained afterwards by `AuditSealer`, so writers never contend on a per-tenant chain head
 * (a money transfer pays one insert, not a serialisation point).
 */
export class AuditTrail {
  readonly #collection: Collection<AuditEntryDocument>;
  readonly #listeners = new Set<RecordListener>();

  constructor(private readonly options: AuditTrailOptions) {
    this.#collection = options.db.collection<AuditEntryDocument>(AUDIT_LOG_COLLECTION);
  }

  get collection(): Collection<AuditEntryDocument> {
    return this.#collection;
  }

  async ensureIndexes(): Promise<void> {
    await ensureAuditIndexes(this.options.db);
  }

  /** Builds the entry (time, service, actor, correlation and trace ids) and inserts it. */
  async record(event: AuditEvent, options: { session?: ClientSession } = {}): Promise<AuditEntryDocument> {
    const entry = this.toEntry(event);
    // Inside a movement gathering its inserts (openInsertBatch), the entry goes with them.
    if (!joinInsertBatch(options.session, this.#collection, [entry])) await this.#collection.insertOne(entry, options.session !== undefined ? { session: options.session } : {});
    if (this.#listeners.size > 0) {
      await runAfterCommit(options.session, () => {
        for (const listener of this.#listeners) listener();
      });
    }
    return entry;
  }

  /** The document `record` would insert (for callers that batch it with other writes). */
  toEntry(event: AuditEvent): AuditEntryDocument {
    const correlation = getCorrelationContext();
    const spanContext = trace.getActiveSpan()?.spanContext();
    return {
      _id: new ObjectId(),
      tenantId: event.tenantId,
      at: new Date(),
      service: this.options.service,
      category: event.category,
      action: event.action,
      outcome: event.outcome ?? 'success',
      actor: event.actor ?? actorFromCorrelation(correlation?.fields),
      resource: event.resource,
      ...(event.before !== undefined ? { before: event.before } : {}),
      ...(event.after !== undefined ? { after: event.after } : {}),
      ...(event.data !== undefined ? { data: event.data } : {}),
      correlationId: correlation?.correlationId ?? null,
      traceId: spanContext !== undefined && spanContext.traceId !== '00000000000000000000000000000000' ? spanContext.traceId : null,
      pending: true,
    };
  }

  onRecord(listener: RecordListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Newest first, one tenant, cursor pages (`_id` order is insertion order within a second's precision). */
  async page(tenantId: string, filter: AuditLogFilter, page: { first?: number; after?: string }): Promise<PaginatedResult<AuditEntryDocument>> {
    return paginateCollection(this.#collection, {
      filter: toMongoFilter(tenantId, filter),
      sort: { _id: -1 },
      ...(page.first !== undefined ? { first: page.first } : {}),
      ...(page.after !== undefined ? { after: page.after } : {}),
      includeTotalCount: true,
    });
  }
}

function actorFromCorrelation(fields: Readonly<Record<string, unknown>> | undefined): AuditActor {
  const userId = fields?.['userId'];
  return typeof userId === 'string' && userId !== '' ? { type: 'user', id: userId } : { type: 'system', id: null };
}

function toMongoFilter(tenantId: string, filter: AuditLogFilter): Filter<AuditEntryDocument> {
  const query: Filter<AuditEntryDocument> = { tenantId };
  if (filter.category !== undefined) query.category = filter.category;
  if (filter.outcome !== undefined) query.outcome = filter.outcome;
  if (filter.action !== undefined) {
    query.action = filter.action.endsWith('.') ? { $regex: `^${escapeRegex(filter.action)}` } : filter.action;
  }
  if (filter.actorId !== undefined) query['actor.id'] = filter.actorId;
  if (filter.resourceType !== undefined) query['resource.type'] = filter.resourceType;
  if (filter.resourceId !== undefined) query['resource.id'] = filter.resourceId;
  if (filter.from !== undefined || filter.to !== undefined) {
    query.at = { ...(filter.from !== undefined ? { $gte: filter.from } : {}), ...(filter.to !== undefined ? { $lt: filter.to } : {}) };
  }
  return query;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function ensureAuditIndexes(db: Db): Promise<void> {
  const log = db.collection<AuditEntryDocument>(AUDIT_LOG_COLLECTION);
  await log.createIndexes([
    { key: { tenantId: 1, _id: -1 }, name: 'tenant_newest' },
    // One entry per place in a tenant's chain: two sealers can never both claim a link.
    { key: { tenantId: 1, seq: 1 }, name: 'tenant_seq_unique', unique: true, partialFilterExpression: { seq: { $exists: true } } },
    { key: { pending: 1, _id: 1 }, name: 'pending', partialFilterExpression: { pending: true } },
    { key: { tenantId: 1, 'actor.id': 1, _id: -1 }, name: 'tenant_actor' },
    { key: { tenantId: 1, 'resource.type': 1, 'resource.id': 1, _id: -1 }, name: 'tenant_resource' },
  ]);
}
