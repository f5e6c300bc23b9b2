import type { Document } from 'bson';
import { MongoCommandError } from '../errors.js';
import type * as language from '../language/index.js';
import type { Collection } from '../storage/collection.js';
import { decodeDocument } from '../storage/document-codec.js';
import { LATEST, UNCOMMITTED, visibleBson } from '../storage/record.js';
import type { Transaction } from '../storage/mvcc.js';
import type { Engine } from '../storage/engine.js';
import type { RegisteredCursor } from './cursors.js';
import type { Session } from './sessions.js';

/**
 * A tailable cursor on a capped collection (`find` with `tailable`): it reads the collection in
 * insertion order and, at its end, stays open; each `getMore` answers the matching documents
 * inserted since (an empty batch when there are none). With `awaitData` the getMore first waits
 * for a commit, up to its `maxTimeMS` (1 s by default, as mongod).
 */
export class TailableCursor implements RegisteredCursor {
  lastUse = Date.now();
  readonly txn: Transaction | null = null;
  /** Record id of the last document read (records get increasing ids in insertion order). */
  private lastRid = -1;

  constructor(
    readonly id: bigint,
    readonly ns: string,
    private readonly engine: Engine,
    private readonly coll: Collection,
    private readonly matcher: language.Matcher,
    private readonly project: ((doc: Document) => Document) | null,
    readonly session: Session | null,
    readonly awaitData: boolean,
  ) {}

  /** Up to `batchSize` (0: no bound) documents inserted after the last one read. */
  nextBatch(batchSize: number): Document[] {
    this.lastUse = Date.now();
    if (this.engine.collection(this.coll.db, this.coll.name) !== this.coll) {
      throw new MongoCommandError(175, `collection dropped. UUID ${this.coll.uuid.toHexString()}`, { codeName: 'QueryPlanKilled' });
    }
    const docs: Document[] = [];
    for (const rec of this.coll.records.values()) {
      if (batchSize > 0 && docs.length >= batchSize) break;
      if (rec.rid <= this.lastRid) continue;
      // Not committed yet: stop before it, so it is read once it is.
      if (rec.ts === UNCOMMITTED) break;
      const bson = visibleBson(rec, LATEST);
      this.lastRid = rec.rid;
      if (bson === null) continue;
      const doc = decodeDocument(bson);
      if (this.matcher(doc)) docs.push(this.project === null ? doc : this.project(doc));
    }
    return docs;
  }

  close(): void {}
}
