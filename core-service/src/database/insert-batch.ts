import { MongoClientBulkWriteError, type AnyClientBulkWriteModel, type ClientSession, type Collection, type Document, type MongoClient } from 'mongodb';

/**
 * Inserts that only have to land before a transaction commits, gathered while it runs and sent
 * together: one `bulkWrite` command across collections (MongoDB 8.0's `client.bulkWrite`)
 * instead of one insert per collection.
 *
 * A money movement ends with three such inserts (its ledger entries, its outbox events, the
 * audit entry of its completion), each a round trip inside the transaction while both wallet
 * documents are held. The movement opens a batch on its session (`openInsertBatch`); the outbox
 * store and the audit trail join it (`joinInsertBatch`) instead of inserting, and the movement
 * flushes it before it returns. Code that has no batch open, or runs outside a transaction,
 * inserts as before: joining is something a writer offers, never something it relies on.
 *
 * Only inserts whose failure would only ever abort the transaction belong here (fresh `_id`s,
 * no unique key a caller checks for): an insert whose duplicate-key error is an answer (the
 * idempotency key of a transfer) stays a command of its own, where the error is seen at once.
 */
export interface InsertBatch {
  /** Adds documents to insert into `collection`, in order, before the commit. */
  insert<T extends Document>(collection: Collection<T>, documents: readonly T[]): void;
  /** Sends everything gathered (one command when there is more than one collection), then closes the batch. */
  flush(): Promise<void>;
  /** Forgets what was gathered and closes the batch (the transaction is failing anyway). */
  discard(): void;
}

const open = new WeakMap<ClientSession, InsertBatch>();
/** Whether each client's server takes `bulkWrite` (MongoDB 8.0, wire version 25), asked once. */
const bulkWriteSupport = new WeakMap<MongoClient, Promise<boolean>>();
const BULK_WRITE_WIRE_VERSION = 25;

/**
 * Opens the insert batch of `session`'s transaction; the caller flushes or discards it. When one
 * is open already (a movement inside a larger unit of work that batches too), the inserts join
 * that one, and this handle's `flush` and `discard` leave it to its owner. Without `client` (the
 * session's own client is not public), the inserts go one command per collection at the flush.
 */
export function openInsertBatch(client: MongoClient | undefined, session: ClientSession): InsertBatch {
  const outer = open.get(session);
  if (outer !== undefined) return { insert: (collection, documents) => outer.insert(collection, documents), flush: async () => undefined, discard: () => undefined };
  const pending: Array<{ collection: Collection<Document>; documents: Document[] }> = [];
  const close = (): void => {
    if (open.get(session) === batch) open.delete(session);
  };
  const batch: InsertBatch = {
    insert(collection, documents) {
      if (documents.length === 0) return;
      const last = pending.at(-1);
      // Consecutive inserts into one collection stay one run of documents.
      if (last !== undefined && last.collection.namespace === collection.namespace) last.documents.push(...documents);
      else pending.push({ collection: collection as unknown as Collection<Document>, documents: [...documents] });
    },
    async flush() {
      close();
      if (pending.length === 0) return;
      if (pending.length > 1 && client !== undefined && (await supportsBulkWrite(client))) {
        const models: AnyClientBulkWriteModel<Document>[] = pending.flatMap(({ collection, documents }) =>
          documents.map((document) => ({ name: 'insertOne' as const, namespace: collection.namespace, document })),
        );
        try {
          await client.bulkWrite(models, { session, ordered: true });
        } catch (error) {
          // The driver wraps a server error, labels and all, in its own: the transaction's retry
          // decision (TransientTransactionError) needs the server's error itself.
          throw error instanceof MongoClientBulkWriteError && error.cause instanceof Error ? error.cause : error;
        }
        return;
      }
      for (const { collection, documents } of pending) {
        if (documents.length === 1) await collection.insertOne(documents[0]!, { session });
        else await collection.insertMany(documents, { session, ordered: true });
      }
    },
    discard() {
      pending.length = 0;
      close();
    },
  };
  open.set(session, batch);
  return batch;
}

/**
 * Hands `documents` to the insert batch open on `session`, if one is; false when none is (the
 * caller then inserts them itself).
 */
export function joinInsertBatch<T extends Document>(session: ClientSession | undefined, collection: Collection<T>, documents: readonly T[]): boolean {
  const batch = session === undefined ? undefined : open.get(session);
  if (batch === undefined) return false;
  batch.insert(collection, documents);
  return true;
}

function supportsBulkWrite(client: MongoClient): Promise<boolean> {
  let answer = bulkWriteSupport.get(client);
  if (answer === undefined) {
    answer = client
      .db('admin')
      .command({ hello: 1 })
      .then((hello) => Number(hello['maxWireVersion']) >= BULK_WRITE_WIRE_VERSION)
      .catch(() => {
        bulkWriteSupport.delete(client);
        return false;
      });
    bulkWriteSupport.set(client, answer);
  }
  return answer;
}
