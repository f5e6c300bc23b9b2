import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/storage/engine.js';
import { LATEST } from '../../src/storage/record.js';
import { runQuery } from '../../src/storage/query-executor.js';
import type { Transaction } from '../../src/storage/mvcc.js';

async function setup() {
  const engine = await Engine.open();
  const coll = engine.ensureCollection('db', 'c');
  engine.createIndex(coll, 'ts_1', { ts: 1 }, {});
  const insert = (doc: Record<string, unknown>) => {
    const txn = engine.begin(false);
    coll.insert(txn, doc);
    void engine.commit(txn);
  };
  const find = (view: Transaction | typeof LATEST, filter: Record<string, unknown>, sort?: Record<string, number>) => [...runQuery(coll, () => view, { filter, sort })].map((m) => m.doc);
  return { engine, coll, insert, find };
}

describe('MVCC storage', () => {
  it('a snapshot keeps reading the old version and its index position until it ends', async () => {
    const { engine, coll, insert, find } = await setup();
    for (let i = 1; i <= 5; i++) insert({ _id: i, ts: i * 10 });
    const reader = engine.begin(true);
    // Move document 1 from ts 10 to ts 99 outside the reader's snapshot.
    const writer = engine.begin(false);
    const [m] = [...runQuery(coll, () => writer, { filter: { _id: 1 } })];
    coll.update(writer, m!.rec, { _id: 1, ts: 99 }, m!.doc);
    void engine.commit(writer);

    expect(find(reader, { ts: { $gte: 0 } }, { ts: 1 }).map((d) => Number(d._id))).toEqual([1, 2, 3, 4, 5]);
    expect(find(LATEST, { ts: { $gte: 0 } }, { ts: 1 }).map((d) => Number(d._id))).toEqual([2, 3, 4, 5, 1]);
    // Both keys are indexed while the reader may need the old one.
    expect(coll.indexes.get('ts_1')!.tree.size).toBe(6);
    await engine.commit(reader);
    expect(coll.indexes.get('ts_1')!.tree.size).toBe(5);
    expect(coll.records.get(m!.rec.rid)!.older).toBeNull();
  });

  it('versions kept for a transaction are dropped when it ends, also when the oldest snapshot is back where the last collection left it', async () => {
    const { engine, coll, insert } = await setup();
    for (let i = 1; i <= 3; i++) insert({ _id: i, ts: 0 });
    const index = coll.indexes.get('ts_1')!;
    // Each round: a transaction is open while a write outside it moves one document; the
    // transaction then ends with no other open, so the oldest snapshot is "none" every time.
    for (let i = 1; i <= 3; i++) {
      const open = engine.begin(true);
      const writer = engine.begin(false);
      const [m] = [...runQuery(coll, () => writer, { filter: { _id: i } })];
      coll.update(writer, m!.rec, { _id: i, ts: i }, m!.doc);
      void engine.commit(writer);
      expect(index.tree.size).toBe(4);
      await engine.commit(open);
      // The old key (ts 0) of the moved document is gone: an index scan no longer walks it.
      expect(index.tree.size).toBe(3);
      expect(coll.records.get(m!.rec.rid)!.older).toBeNull();
    }
  });

  it('a pinned snapshot (snapshot reads) keeps its versions until the pin expires, then the next commit drops them', async () => {
    const { engine, coll, insert, find } = await setup();
    insert({ _id: 1, ts: 1 });
    insert({ _id: 2, ts: 1 });
    const pinned = engine.txns.clock;
    let now = 1_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      engine.txns.pin(pinned, 2_000);
      expect(engine.txns.canRead(pinned)).toBe(true);
      const update = (id: number, ts: number) => {
        const txn = engine.begin(false);
        const [m] = [...runQuery(coll, () => txn, { filter: { _id: id } })];
        coll.update(txn, m!.rec, { _id: id, ts }, m!.doc);
        void engine.commit(txn);
      };
      update(1, 2);
      update(2, 2);
      update(2, 3);
      const view = { snapshotTs: pinned, txn: null };
      expect(find(view as never, {}).map((d) => Number(d.ts))).toEqual([1, 1]);
      expect(find(LATEST, {}).map((d) => Number(d.ts))).toEqual([2, 3]);
      // Before the pin, when something changed since: not readable.
      expect(engine.txns.canRead(pinned - 1)).toBe(false);
      now = 3_000;
      // A commit after the expiry drops the old versions of every document, not only its own.
      update(1, 4);
      expect(engine.txns.canRead(pinned)).toBe(false);
      expect([...coll.records.values()].map((rec) => rec.older)).toEqual([null, null]);
    } finally {
      Date.now = realNow;
    }
  });

  it('a deleted document stays visible to an older snapshot and disappears afterwards', async () => {
    const { engine, coll, insert, find } = await setup();
    insert({ _id: 'gone', ts: 1 });
    const reader = engine.begin(true);
    const writer = engine.begin(false);
    const [m] = [...runQuery(coll, () => writer, { filter: { _id: 'gone' } })];
    coll.remove(writer, m!.rec);
    void engine.commit(writer);
    expect(find(reader, {})).toHaveLength(1);
    expect(find(LATEST, {})).toHaveLength(0);
    engine.abort(reader);
    expect(coll.records.size).toBe(0);
    expect(coll.idIndex.tree.size).toBe(0);
  });

  it('an aborted transaction removes its inserts and index entries', async () => {
    const { engine, coll, find } = await setup();
    const txn = engine.begin(true);
    coll.insert(txn, { _id: 'a', ts: 5 });
    expect(find(txn, {})).toHaveLength(1);
    expect(find(LATEST, {})).toHaveLength(0);
    engine.abort(txn);
    expect(coll.records.size).toBe(0);
    expect(coll.indexes.get('ts_1')!.tree.size).toBe(0);
  });
});
