import type { ClientSession, Collection, Db, MongoClient } from 'mongodb';
import { withTransaction } from '../database/transaction.js';
import { AUDIT_CHAIN_HEADS_COLLECTION, AUDIT_GENESIS_HASH, AUDIT_LOG_COLLECTION, type AuditChainHeadDocument, type AuditEntryDocument } from './audit-entry.js';
import { auditEntryHash } from './audit-hash.js';

function collections(db: Db): { log: Collection<AuditEntryDocument>; heads: Collection<AuditChainHeadDocument> } {
  return { log: db.collection<AuditEntryDocument>(AUDIT_LOG_COLLECTION), heads: db.collection<AuditChainHeadDocument>(AUDIT_CHAIN_HEADS_COLLECTION) };
}

/** Another sealer moved the head first; this round's work is discarded and tried again. */
export class AuditSealRaceError extends Error {
  constructor(readonly tenantId: string) {
    super(`audit chain of tenant ${tenantId} was extended by another sealer`);
    this.name = 'AuditSealRaceError';
  }
}

/**
 * Gives pending entries their place in their tenant's chain, oldest first: `seq` = head + 1,
 * `prevHash` = the head's hash, `hash` over both and the entry. One transaction per tenant
 * reads the head and the pending entries and writes both, so two sealers racing on one tenant
 * conflict and one of them retries from the new head: a chain never forks (the unique
 * `{ tenantId, seq }` index is the second guard). Returns how many entries were sealed.
 */
export async function sealPendingAuditEntries(client: MongoClient, db: Db, options: { batchSize?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 500;
  const { log } = collections(db);
  const tenants = await log.distinct('tenantId', { pending: true });
  let sealed = 0;
  for (const tenantId of tenants) {
    sealed += await withTransaction({ client, fn: (session) => sealTenant(db, tenantId, batchSize, session) });
  }
  return sealed;
}

async function sealTenant(db: Db, tenantId: string, batchSize: number, session: ClientSession): Promise<number> {
  const { log, heads } = collections(db);
  const head = await heads.findOne({ _id: tenantId }, { session });
  const entries = await log.find({ pending: true, tenantId }, { session }).sort({ _id: 1 }).limit(batchSize).toArray();
  if (entries.length === 0) return 0;

  let seq = head?.seq ?? 0;
  let hash = head?.hash ?? AUDIT_GENESIS_HASH;
  const updates = entries.map((entry) => {
    seq += 1;
    const prevHash = hash;
    const { pending: _pending, ...sealedEntry } = entry;
    hash = auditEntryHash({ ...sealedEntry, seq }, prevHash);
    return { updateOne: { filter: { _id: entry._id, pending: true as const }, update: { $set: { seq, prevHash, hash }, $unset: { pending: '' as const } } } };
  });
  const result = await log.bulkWrite(updates, { session, ordered: true });
  if (result.modifiedCount !== updates.length) throw new AuditSealRaceError(tenantId);

  const now = new Date();
  if (head === null) {
    // A concurrent first seal of the same tenant makes this insert fail (duplicate _id),
    // which aborts the whole transaction.
    await heads.insertOne({ _id: tenantId, seq, hash, updatedAt: now }, { session });
  } else {
    const moved = await heads.updateOne({ _id: tenantId, seq: head.seq, hash: head.hash }, { $set: { seq, hash, updatedAt: now } }, { session });
    if (moved.modifiedCount !== 1) throw new AuditSealRaceError(tenantId);
  }
  return entries.length;
}

export type AuditChainBreakReason = 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_entry' | 'head_mismatch';

export interface AuditChainReport {
  tenantId: string;
  ok: boolean;
  /** Sealed entries whose links were checked. */
  checked: number;
  headSeq: number;
  /** Entries not sealed yet (normally only those written in the last moments). */
  pending: number;
  /** The first link that does not hold: where deletion or edition happened. */
  firstBroken: { seq: number; entryId: string | null; reason: AuditChainBreakReason } | null;
}

/**
 * Walks a tenant's sealed entries in chain order and recomputes every link: an edited entry no
 * longer matches its hash, a deleted one leaves a gap in `seq`, a rewritten suffix no longer
 * meets its successor's `prevHash`, and a deleted tail no longer reaches the head. Streams the
 * entries (cursor), so memory stays flat on long chains.
 */
export async function verifyAuditChain(db: Db, tenantId: string): Promise<AuditChainReport> {
  const { log, heads } = collections(db);
  const head = await heads.findOne({ _id: tenantId });
  const pending = await log.countDocuments({ pending: true, tenantId });
  let expectedSeq = (head?.anchor?.seq ?? 0) + 1;
  let prevHash = head?.anchor?.hash ?? AUDIT_GENESIS_HASH;
  let checked = 0;
  const report = (firstBroken: AuditChainReport['firstBroken']): AuditChainReport => ({
    tenantId,
    ok: firstBroken === null,
    checked,
    headSeq: head?.seq ?? 0,
    pending,
    firstBroken,
  });

  const cursor = log.find({ tenantId, seq: { $gte: expectedSeq } }).sort({ seq: 1 });
  try {
    for await (const entry of cursor) {
      const seq = entry.seq ?? 0;
      if (seq !== expectedSeq) return report({ seq: expectedSeq, entryId: null, reason: 'missing_entry' });
      if (entry.prevHash !== prevHash) return report({ seq, entryId: entry._id.toHexString(), reason: 'prev_hash_mismatch' });
      if (entry.hash !== auditEntryHash(entry, prevHash)) return report({ seq, entryId: entry._id.toHexString(), reason: 'hash_mismatch' });
      checked += 1;
      prevHash = entry.hash;
      expectedSeq += 1;
    }
  } finally {
    await cursor.close();
  }
  const lastSeq = expectedSeq - 1;
  if (head !== null && (head.seq !== lastSeq || head.hash !== prevHash)) {
    return report({ seq: Math.min(head.seq, lastSeq + 1), entryId: null, reason: head.seq > lastSeq ? 'missing_entry' : 'head_mismatch' });
  }
  return report(null);
}

/** Every tenant with a chain or pending entries. */
export async function auditTenants(db: Db): Promise<string[]> {
  const { log, heads } = collections(db);
  const [withHeads, withPending] = await Promise.all([heads.distinct('_id'), log.distinct('tenantId', { pending: true })]);
  return [...new Set([...withHeads, ...withPending])].sort();
}

/**
 * Retention: deletes a tenant's sealed entries older than `before`, as one chain prefix, and
 * keeps the last deleted link as the head's anchor so verification still starts from a
 * committed hash. Returns how many entries were deleted.
 */
export async function pruneAuditLog(client: MongoClient, db: Db, tenantId: string, before: Date, options: { batchSize?: number } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const pruned = await pruneBatch(client, db, tenantId, before, options.batchSize ?? 5_000);
    total += pruned;
    if (pruned === 0) return total;
  }
}

/**
 * One bounded prefix per transaction: a transaction must stay far below the server's
 * transactionLifetimeLimitSeconds (5–10 s here), whatever the backlog.
 */
async function pruneBatch(client: MongoClient, db: Db, tenantId: string, before: Date, batchSize: number): Promise<number> {
  const { log, heads } = collections(db);
  return withTransaction({
    client,
    fn: async (session) => {
      const head = await heads.findOne({ _id: tenantId }, { session });
      if (head === null) return 0;
      const oldest = await log
        .find({ tenantId, seq: { $gt: head.anchor?.seq ?? 0 }, at: { $lt: before } }, { session, projection: { seq: 1, hash: 1 } })
        .sort({ seq: 1 })
        .limit(batchSize)
        .toArray();
      const last = oldest.at(-1);
      if (last === undefined || last.seq === undefined || last.hash === undefined) return 0;
      const deleted = await log.deleteMany({ tenantId, seq: { $lte: last.seq } }, { session });
      await heads.updateOne({ _id: tenantId }, { $set: { anchor: { seq: last.seq, hash: last.hash, prunedAt: new Date() } } }, { session });
      return deleted.deletedCount;
    },
  });
}
