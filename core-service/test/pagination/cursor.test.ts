import { Decimal128, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { getErrorCode } from '../../src/errors/index.js';
import { buildKeysetFilter, buildKeysetQueries, configureCursorSecret, decodeCursor, encodeCursor } from '../../src/pagination/index.js';

const shape = JSON.stringify([
  'db.items',
  [
    ['createdAt', -1],
    ['_id', -1],
  ],
]);

function expectBadUserInput(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(getErrorCode(caught)).toBe('BAD_USER_INPUT');
}

describe('pagination cursors', () => {
  it('round-trip BSON types: ObjectId, Date, Long, Decimal128, null', () => {
    const values = [new Date('2026-01-02T03:04:05.678Z'), Long.fromString('9007199254740993'), Decimal128.fromString('1.10'), null, new ObjectId()];
    const decoded = decodeCursor(encodeCursor(values, shape), shape, values.length);
    expect(decoded[0]).toBeInstanceOf(Date);
    expect((decoded[0] as Date).toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(decoded[1]).toBeInstanceOf(Long);
    expect(String(decoded[1])).toBe('9007199254740993');
    expect(String(decoded[2])).toBe('1.10');
    expect(decoded[3]).toBeNull();
    expect((decoded[4] as ObjectId).equals(values[4] as ObjectId)).toBe(true);
  });

  it('are opaque: neither the field names nor a JSON shape show through', () => {
    const cursor = encodeCursor([new Date(0), new ObjectId()], shape);
    expect(cursor).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('createdAt');
  });

  it('reject a changed payload, a changed signature and garbage', () => {
    const cursor = encodeCursor([new Date(0), new ObjectId()], shape);
    const [version, payload, signature] = cursor.split('.') as [string, string, string];
    // A forged position: valid EJSON, valid base64url, but not signed by us.
    const forged = Buffer.from(JSON.stringify([{ $date: { $numberLong: '0' } }, { $oid: '000000000000000000000000' }])).toString('base64url');
    expectBadUserInput(() => decodeCursor(`${version}.${forged}.${signature}`, shape, 2));
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    expectBadUserInput(() => decodeCursor(`${version}.${payload}.${flipped}`, shape, 2));
    expectBadUserInput(() => decodeCursor('not-a-cursor', shape, 2));
    expectBadUserInput(() => decodeCursor('', shape, 2));
    expectBadUserInput(() => decodeCursor(`${cursor}.extra`, shape, 2));
  });

  it('reject a cursor made for another collection or sort', () => {
    const cursor = encodeCursor([new Date(0), new ObjectId()], shape);
    expectBadUserInput(() =>
      decodeCursor(
        cursor,
        JSON.stringify([
          'db.other',
          [
            ['createdAt', -1],
            ['_id', -1],
          ],
        ]),
        2,
      ),
    );
    expectBadUserInput(() =>
      decodeCursor(
        cursor,
        JSON.stringify([
          'db.items',
          [
            ['createdAt', 1],
            ['_id', 1],
          ],
        ]),
        2,
      ),
    );
  });
});

describe('cursor secret', () => {
  it('a cursor signed under another secret (another deployment, a rotated key) is rejected', () => {
    const ours = Buffer.alloc(32, 1);
    const theirs = Buffer.alloc(32, 2);
    const cursor = encodeCursor([1, new ObjectId()], shape, theirs);
    expectBadUserInput(() => decodeCursor(cursor, shape, 2, ours));
    expect(decodeCursor(cursor, shape, 2, theirs)).toHaveLength(2);
  });

  it('refuses a configured secret too short to resist guessing', () => {
    expect(() => configureCursorSecret('short')).toThrow(/at least 16 bytes/);
  });
});

describe('keyset filter', () => {
  it('is a disjunction of range conditions, one per sort key', () => {
    const id = new ObjectId();
    expect(
      buildKeysetFilter(
        [
          ['score', 1],
          ['_id', 1],
        ],
        [5, id],
      ),
    ).toEqual({ $or: [{ score: { $gt: 5 } }, { score: 5, _id: { $gt: id } }] });
  });

  it('keeps null and missing values reachable in both directions', () => {
    const id = new ObjectId();
    // Ascending after null: every non-null value follows.
    expect(
      buildKeysetFilter(
        [
          ['rank', 1],
          ['_id', 1],
        ],
        [null, id],
      ),
    ).toEqual({
      $or: [{ rank: { $ne: null } }, { rank: null, _id: { $gt: id } }],
    });
    // Descending after a value: nulls sort last, and $lt alone would never match them.
    expect(
      buildKeysetFilter(
        [
          ['rank', -1],
          ['_id', -1],
        ],
        [3, id],
      ),
    ).toEqual({
      $or: [{ $or: [{ rank: { $lt: 3 } }, { rank: null }] }, { rank: 3, _id: { $lt: id } }],
    });
    // Descending after null: only equal ranks with a smaller _id remain.
    expect(
      buildKeysetFilter(
        [
          ['rank', -1],
          ['_id', -1],
        ],
        [null, id],
      ),
    ).toEqual({ rank: null, _id: { $lt: id } });
  });

  it('starts the first query at the cursor with a top-level range an index can bound', () => {
    const id = new ObjectId();
    const at = new Date(0);
    expect(
      buildKeysetQueries(
        [
          ['createdAt', 1],
          ['_id', 1],
        ],
        [at, id],
      ),
    ).toEqual([{ $and: [{ createdAt: { $gte: at } }, { $or: [{ createdAt: { $gt: at } }, { $and: [{ createdAt: at }, { _id: { $gt: id } }] }] }] }]);
    // Walking down, the null/missing rows come after every value: a second, separate query.
    expect(
      buildKeysetQueries(
        [
          ['createdAt', -1],
          ['_id', -1],
        ],
        [at, id],
      ),
    ).toEqual([{ $and: [{ createdAt: { $lte: at } }, { $or: [{ createdAt: { $lt: at } }, { $and: [{ createdAt: at }, { _id: { $lt: id } }] }] }] }, { createdAt: null }]);
    expect(buildKeysetQueries([['_id', -1]], [id])).toEqual([{ _id: { $lt: id } }]);
  });

  it('walks out of the null section the way the sort does', () => {
    const id = new ObjectId();
    expect(
      buildKeysetQueries(
        [
          ['rank', 1],
          ['_id', 1],
        ],
        [null, id],
      ),
    ).toEqual([{ $and: [{ rank: null }, { _id: { $gt: id } }] }, { rank: { $ne: null } }]);
    expect(
      buildKeysetQueries(
        [
          ['rank', -1],
          ['_id', -1],
        ],
        [null, id],
      ),
    ).toEqual([{ $and: [{ rank: null }, { _id: { $lt: id } }] }]);
  });
});
