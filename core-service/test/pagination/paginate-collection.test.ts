import { Long, ObjectId, type Collection, type CommandStartedEvent, type Document, type MongoClient } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectMongo, withTransaction } from '../../src/database/index.js';
import { getErrorCode } from '../../src/errors/index.js';
import { paginateCollection, type PaginateOptions, type PaginationSort } from '../../src/pagination/index.js';
import { createTestFixture, getTestInfrastructure } from '../../src/testing/index.js';

interface Item extends Document {
  _id: ObjectId;
  n: number;
  score: number;
  group: string;
  createdAt: Date;
  seq: Long;
  rank?: number | null;
}

const ITEM_COUNT = 57;

async function connect(): Promise<{ client: MongoClient; commands: CommandStartedEvent[] }> {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError);
  const client = await connectMongo(mongoUri, { config: { minPoolSize: 0 }, clientOptions: { monitorCommands: true } });
  onTestFinished(() => client.close());
  const commands: CommandStartedEvent[] = [];
  client.on('commandStarted', (event) => commands.push(event));
  return { client, commands };
}

/** 57 items with many equal sort values (5 scores, 4 dates), and null or missing ranks on some. */
async function seededItems(label: string, collectionName = 'items'): Promise<{ items: Collection<Item>; all: Item[]; commands: CommandStartedEvent[]; client: MongoClient }> {
  const fixture = createTestFixture({ label });
  const { client, commands } = await connect();
  const items = client.db(fixture.dbName('pages')).collection<Item>(collectionName);
  const all: Item[] = Array.from({ length: ITEM_COUNT }, (_, n) => {
    const item: Item = {
      _id: new ObjectId(),
      n,
      score: n % 5,
      group: n % 3 === 0 ? 'a' : 'b',
      createdAt: new Date(Date.UTC(2026, 0, 1 + (n % 4))),
      seq: Long.fromNumber(1e15 + (n % 7)),
    };
    if (n % 6 === 1) item.rank = null;
    else if (n % 6 !== 2) item.rank = n % 4; // n % 6 === 2: rank missing
    return item;
  });
  // Inserted in a shuffled order so natural order never happens to match the sort.
  await items.insertMany([...all].sort((a, b) => ((a.n * 37) % ITEM_COUNT) - ((b.n * 37) % ITEM_COUNT)));
  await items.createIndex({ score: 1, _id: 1 });
  // An index holding null and missing keys, so the null handling is exercised through index scans too.
  await items.createIndex({ rank: -1, _id: -1 });
  return { items, all, commands, client };
}

function comparable(value: unknown): number | string {
  if (value === null || value === undefined) return -Infinity;
  if (value instanceof Date) return value.getTime();
  if (value instanceof Long) return value.toNumber();
  if (value instanceof ObjectId) return value.toHexString();
  return value as number;
}

/** The order MongoDB's sort defines, computed in memory: sort keys, then _id in the last key's direction. */
function expectedOrder(all: Item[], sort: PaginationSort, filter: (item: Item) => boolean = () => true): number[] {
  const keys = Object.entries(sort);
  const tieBreak = keys.at(-1)?.[1] ?? 1;
  return all
    .filter(filter)
    .sort((a, b) => {
      for (const [field, direction] of [...keys, ['_id', tieBreak] as const]) {
        const left = comparable(a[field]);
        const right = comparable(b[field]);
        if (left < right) return -direction;
        if (left > right) return direction;
      }
      return 0;
    })
    .map((item) => item.n);
}

async function walkForward(items: Collection<Item>, options: PaginateOptions<Item>, pageSize: number) {
  const seen: number[] = [];
  let after: string | undefined;
  for (let page = 0; ; page += 1) {
    const result = await paginateCollection(items, { ...options, first: pageSize, ...(after ? { after } : {}) });
    expect(result.pageInfo.hasPreviousPage).toBe(page > 0);
    expect(result.nodes).toEqual(result.edges.map((edge) => edge.node));
    seen.push(...result.nodes.map((node) => node.n));
    if (!result.pageInfo.hasNextPage) return seen;
    expect(result.nodes).toHaveLength(pageSize);
    after = result.pageInfo.endCursor!;
  }
}

async function walkBackward(items: Collection<Item>, options: PaginateOptions<Item>, pageSize: number) {
  const pages: number[][] = [];
  let before: string | undefined;
  for (let page = 0; ; page += 1) {
    const result = await paginateCollection(items, { ...options, last: pageSize, ...(before ? { before } : {}) });
    expect(result.pageInfo.hasNextPage).toBe(page > 0);
    pages.unshift(result.nodes.map((node) => node.n));
    if (!result.pageInfo.hasPreviousPage) return pages.flat();
    expect(result.nodes).toHaveLength(pageSize);
    before = result.pageInfo.startCursor!;
  }
}

async function expectBadUserInput(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(getErrorCode(error)).toBe('BAD_USER_INPUT');
}

const SORTS: PaginationSort[] = [{ score: 1 }, { score: -1 }, { createdAt: -1, score: 1 }, { seq: 1 }, { rank: 1 }, { rank: -1 }, {}];

describe('paginateCollection', () => {
  it.each(SORTS.map((sort) => [JSON.stringify(sort), sort] as const))('walks forward and backward over sort %s returning every document exactly once, in order', async (_name, sort) => {
    const { items, all } = await seededItems('walk');
    const expected = expectedOrder(all, sort);
    for (const pageSize of [1, 7, 57, 100]) {
      expect(await walkForward(items, { sort }, pageSize)).toEqual(expected);
      expect(await walkBackward(items, { sort }, pageSize)).toEqual(expected);
    }
  });

  it('pages within a filter', async () => {
    const { items, all } = await seededItems('filter');
    const expected = expectedOrder(all, { score: -1 }, (item) => item.group === 'a');
    expect(await walkForward(items, { sort: { score: -1 }, filter: { group: 'a' } }, 4)).toEqual(expected);
    expect(await walkBackward(items, { sort: { score: -1 }, filter: { group: 'a' } }, 4)).toEqual(expected);
  });

  it('reports page boundaries at both ends in both directions', async () => {
    const { items } = await seededItems('ends');
    const first = await paginateCollection(items, { first: 10, sort: { score: 1 } });
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.pageInfo.startCursor).toBe(first.edges[0]!.cursor);
    expect(first.pageInfo.endCursor).toBe(first.edges[9]!.cursor);

    const lastPage = await paginateCollection(items, { last: 10, sort: { score: 1 } });
    expect(lastPage.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const everything = await paginateCollection(items, { first: 57, sort: { score: 1 } });
    expect(everything.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const exactlyToTheEnd = await paginateCollection(items, { first: 7, after: everything.edges[49]!.cursor, sort: { score: 1 } });
    expect(exactlyToTheEnd.nodes).toHaveLength(7);
    expect(exactlyToTheEnd.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const pastTheEnd = await paginateCollection(items, { first: 7, after: everything.edges[56]!.cursor, sort: { score: 1 } });
    expect(pastTheEnd.nodes).toEqual([]);
    expect(pastTheEnd.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    const beforeTheStart = await paginateCollection(items, { last: 7, before: everything.edges[0]!.cursor, sort: { score: 1 } });
    expect(beforeTheStart.nodes).toEqual([]);
    expect(beforeTheStart.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('answers an empty collection with an empty page', async () => {
    const fixture = createTestFixture({ label: 'empty' });
    const { client } = await connect();
    const empty = client.db(fixture.dbName('pages')).collection<Item>('nothing');
    expect(await paginateCollection(empty, { first: 5, includeTotalCount: true })).toEqual({
      nodes: [],
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      totalCount: 0,
    });
  });

  it('counts the total only when asked, and counts the whole filter rather than the page', async () => {
    const { items, commands } = await seededItems('count');
    const without = await paginateCollection(items, { first: 5 });
    expect('totalCount' in without).toBe(false);
    expect(commands.some((event) => event.commandName === 'aggregate' || event.commandName === 'count')).toBe(false);
    expect((await paginateCollection(items, { first: 5, includeTotalCount: true })).totalCount).toBe(ITEM_COUNT);
    expect((await paginateCollection(items, { first: 5, includeTotalCount: true, filter: { group: 'a' } })).totalCount).toBe(19);
  });

  it('pages inside a transaction, counting on the same session', async () => {
    const { items, client } = await seededItems('insession');
    const page = await withTransaction({
      client,
      fn: async (session) => {
        await items.insertOne({ _id: new ObjectId(), n: 999, score: -1, group: 'a', createdAt: new Date(0), seq: Long.fromNumber(0) }, { session });
        return paginateCollection(items, { first: 3, sort: { score: 1 }, includeTotalCount: true, session });
      },
    });
    // The transaction sees its own uncommitted insert, in the page and in the count.
    expect(page.nodes[0]!.n).toBe(999);
    expect(page.totalCount).toBe(ITEM_COUNT + 1);
  });

  it('queries with a keyset range and limit first+1, never skip', async () => {
    const { items, commands } = await seededItems('nokip');
    const first = await paginateCollection(items, { first: 10, sort: { score: 1 } });
    commands.length = 0;
    await paginateCollection(items, { first: 10, after: first.pageInfo.endCursor!, sort: { score: 1 } });
    const find = commands.find((event) => event.commandName === 'find')!;
    expect(find.command['skip']).toBeUndefined();
    expect(find.command['limit']).toBe(11);
    // The driver sends an ordered sort as a Map.
    expect([...(find.command['sort'] as Map<string, number>).entries()]).toEqual([
      ['score', 1],
      ['_id', 1],
    ]);
    expect(JSON.stringify(find.command['filter'])).toContain('$or');
  });

  it('a deep page is read through the { sort, _id } index, without an in-memory sort', async () => {
    const { items, commands } = await seededItems('explain');
    await items.createIndex({ createdAt: -1, _id: -1 });
    let after: string | undefined;
    for (let page = 0; page < 5; page += 1) {
      after = (await paginateCollection(items, { first: 5, sort: { createdAt: -1 }, ...(after ? { after } : {}) })).pageInfo.endCursor!;
    }
    commands.length = 0;
    await paginateCollection(items, { first: 5, sort: { createdAt: -1 }, after });
    const find = commands.find((event) => event.commandName === 'find')!.command;
    const explained = await items.db.command({ explain: { find: items.collectionName, filter: find['filter'], sort: find['sort'], limit: find['limit'] } });
    const plan = JSON.stringify(explained['queryPlanner']['winningPlan']);
    expect(plan).toContain('"IXSCAN"');
    expect(plan).toContain('createdAt_-1__id_-1');
    expect(plan).not.toContain('"SORT"');
  });

  it('rejects a tampered cursor, and a cursor from another collection or another sort', async () => {
    const { items, client } = await seededItems('tamper');
    const page = await paginateCollection(items, { first: 5, sort: { score: 1 } });
    const cursor = page.pageInfo.endCursor!;
    const [version, payload, signature] = cursor.split('.') as [string, string, string];
    const other = Buffer.from(payload, 'base64url')
      .toString('utf8')
      .replace(/"\$numberInt":"\d+"/, '"$numberInt":"4"');
    await expectBadUserInput(paginateCollection(items, { first: 5, sort: { score: 1 }, after: `${version}.${Buffer.from(other).toString('base64url')}.${signature}` }));
    await expectBadUserInput(paginateCollection(items, { first: 5, sort: { score: 1 }, after: cursor.slice(0, -1) }));
    await expectBadUserInput(paginateCollection(items, { first: 5, sort: { score: 1 }, after: 'eyJzY29yZSI6MX0' }));
    await expectBadUserInput(paginateCollection(items, { first: 5, sort: { score: -1 }, after: cursor }));
    await expectBadUserInput(paginateCollection(items, { last: 5, sort: { createdAt: 1 }, before: cursor }));
    const sibling = items.db.collection<Item>('other_items');
    await expectBadUserInput(paginateCollection(sibling, { first: 5, sort: { score: 1 }, after: cursor }));
    const sameNameElsewhere = client.db(`${items.dbName}x`).collection<Item>(items.collectionName);
    await expectBadUserInput(paginateCollection(sameNameElsewhere, { first: 5, sort: { score: 1 }, after: cursor }));
    // The genuine cursor still works.
    expect((await paginateCollection(items, { first: 5, sort: { score: 1 }, after: cursor })).nodes).toHaveLength(5);
  });

  it('rejects page sizes outside 1..max and contradictory arguments', async () => {
    const { items } = await seededItems('bounds');
    for (const first of [0, -1, 101, 1.5, Number.NaN]) await expectBadUserInput(paginateCollection(items, { first }));
    for (const last of [0, 101]) await expectBadUserInput(paginateCollection(items, { last }));
    await expectBadUserInput(paginateCollection(items, { first: 11, maxPageSize: 10 }));
    await expectBadUserInput(paginateCollection(items, { first: 5, last: 5 }));
    await expectBadUserInput(paginateCollection(items, { first: 5, sort: { score: 2 as 1 } }));
    const cursor = (await paginateCollection(items, { first: 5 })).pageInfo.endCursor!;
    await expectBadUserInput(paginateCollection(items, { first: 5, before: cursor }));
    await expectBadUserInput(paginateCollection(items, { last: 5, after: cursor }));
    expect((await paginateCollection(items, { first: 100 })).nodes).toHaveLength(ITEM_COUNT);
    expect((await paginateCollection(items, {})).nodes).toHaveLength(20);
  });
});
