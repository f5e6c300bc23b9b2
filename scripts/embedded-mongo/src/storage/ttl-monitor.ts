import type { Engine } from './engine.js';
import { TransactionWait } from './mvcc.js';
import { isAfter, isBefore } from './query-planner.js';
import { LATEST } from './record.js';

/** Documents removed per sweep at most, so one sweep never holds the event loop for long. */
const MAX_DELETES_PER_SWEEP = 10_000;
const MIN_DATE = new Date(-8_640_000_000_000_000);

/**
 * Removes documents whose TTL index date is older than `expireAfterSeconds`, as MongoDB's TTL
 * monitor does (it runs every 60 s there; the server runs this every second). Only Date values
 * expire; for an array of dates the earliest counts. Each removal is its own implicit
 * transaction; a document held by an open transaction is left for a later sweep.
 */
export function removeExpiredDocuments(engine: Engine, now: number): number {
  let removed = 0;
  for (const db of engine.databaseNames()) {
    for (const coll of engine.collections(db)) {
      for (const index of coll.indexes.values()) {
        const seconds = index.options.expireAfterSeconds;
        if (seconds === undefined) continue;
        const cutoff = new Date(now - seconds * 1000);
        const low = { prefix: [MIN_DATE], inclusive: true };
        const high = { prefix: [cutoff], inclusive: true };
        const [start, end] = index.fields[0]!.direction === 1 ? [low, high] : [high, low];
        const rids = new Set<number>();
        for (const entry of index.tree.scan(
          1,
          (k) => isBefore(index, k, start),
          (k) => isAfter(index, k, end),
        )) {
          rids.add(index.ridOf(entry));
          if (rids.size + removed >= MAX_DELETES_PER_SWEEP) break;
        }
        for (const rid of rids) {
          const rec = coll.records.get(rid);
          if (rec === undefined) continue;
          const doc = coll.read(rec, LATEST);
          // The entry may belong to an older version: expire only on the latest one's dates.
          if (doc === null || !index.entriesFor(doc, rid).some((e) => e[0] instanceof Date && e[0].getTime() <= cutoff.getTime())) continue;
          const txn = engine.begin(false);
          try {
            coll.remove(txn, rec);
            engine.commit(txn).catch(() => undefined);
            removed++;
          } catch (error) {
            engine.abort(txn);
            if (!(error instanceof TransactionWait)) throw error;
          }
        }
        if (removed >= MAX_DELETES_PER_SWEEP) return removed;
      }
    }
  }
  return removed;
}
