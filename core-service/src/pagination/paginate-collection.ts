import type { ClientSession, Collection, Document, Filter, WithId } from 'mongodb';
import { badUserInput } from './invalid-input.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { buildKeysetQueries, reverseSortKeys } from './keyset-filter.js';
import { sortValueOf, toSortKeys, type PaginationSort, type SortKey } from './sort-keys.js';

export const DEFAULT_MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface PaginateOptions<TSchema extends Document> {
  filter?: Filter<TSchema>;
  /** Page size walking forward, 1..maxPageSize. Goes with `after`. */
  first?: number;
  after?: string;
  /** Page size walking backward, 1..maxPageSize. Goes with `before`. */
  last?: number;
  before?: string;
  /** Default `{ _id: 1 }`; `_id` is always appended as the tie-breaker. Index `{ ...sort, _id }`. */
  sort?: PaginationSort;
  /** Adds `totalCount`, at the price of a `countDocuments` over the whole filter. */
  includeTotalCount?: boolean;
  maxPageSize?: number;
  /** Page size when neither `first` nor `last` is given. */
  defaultPageSize?: number;
  session?: ClientSession;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

export interface PaginatedResult<TNode> {
  nodes: TNode[];
  edges: Edge<TNode>[];
  pageInfo: PageInfo;
  totalCount?: number;
}

function pageSize(name: 'first' | 'last', value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw badUserInput(`'${name}' must be an integer between 1 and ${max}`, { argument: name, max });
  }
  return value;
}

/** What a cursor is bound to: this collection (database included) and this exact sort. */
function queryShapeOf(collection: Collection<Document>, keys: readonly SortKey[]): string {
  return JSON.stringify([collection.namespace, keys]);
}

/**
 * Relay-style cursor pagination over one collection: keyset range queries (see
 * `buildKeysetQueries`), no `skip`, one extra row fetched to learn whether another page exists.
 *
 * `hasPreviousPage` walking forward (and `hasNextPage` walking backward) is true exactly when a
 * cursor was given: the cursor names a row that precedes the page. Relay allows this shortcut;
 * it avoids a second query per page, and is only wrong when that very row has since been deleted.
 */
export async function paginateCollection<TSchema extends Document>(collection: Collection<TSchema>, options: PaginateOptions<TSchema> = {}): Promise<PaginatedResult<WithId<TSchema>>> {
  const maxPageSize = options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE;
  const { first, last, after, before } = options;
  if (first !== undefined && last !== undefined) {
    throw badUserInput("'first' and 'last' cannot be combined", { argument: 'last' });
  }
  if ((first !== undefined && before !== undefined) || (last !== undefined && after !== undefined)) {
    throw badUserInput("use 'first' with 'after' and 'last' with 'before'", { argument: before !== undefined ? 'before' : 'after' });
  }
  if (after !== undefined && before !== undefined) {
    throw badUserInput("'after' and 'before' cannot be combined", { argument: 'before' });
  }
  const backward = last !== undefined || before !== undefined;
  const limit = backward
    ? pageSize('last', last ?? options.defaultPageSize ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize), maxPageSize)
    : pageSize('first', first ?? options.defaultPageSize ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize), maxPageSize);

  const keys = toSortKeys(options.sort);
  const shape = queryShapeOf(collection as unknown as Collection<Document>, keys);
  const walkKeys = backward ? reverseSortKeys(keys) : keys;
  const cursor = backward ? before : after;

  const filter = (options.filter ?? {}) as Document;
  const hasFilter = Object.keys(filter).length > 0;
  const queries: Document[] = cursor === undefined ? [filter] : buildKeysetQueries(walkKeys, decodeCursor(cursor, shape, keys.length)).map((after) => (hasFilter ? { $and: [filter, after] } : after));

  const session = options.session;
  const sort = walkKeys.map(([field, direction]) => [field, direction] as [string, 1 | -1]);
  // One row more than the page, to learn whether another page exists.
  const fetchRows = async (): Promise<WithId<TSchema>[]> => {
    const rows: WithId<TSchema>[] = [];
    for (const query of queries) {
      const missing = limit + 1 - rows.length;
      if (missing <= 0) break;
      const found = await collection.find(query as Filter<TSchema>, { sort, limit: missing, ...(session ? { session } : {}) }).toArray();
      rows.push(...found);
    }
    return rows;
  };
  const countTotal = () => collection.countDocuments(filter as Filter<TSchema>, session ? { session } : {});
  let rows: WithId<TSchema>[];
  let totalCount: number | undefined;
  if (!options.includeTotalCount) rows = await fetchRows();
  else if (session !== undefined) {
    // Operations on one session must not overlap (the driver forbids it inside a transaction).
    rows = await fetchRows();
    totalCount = await countTotal();
  } else [rows, totalCount] = await Promise.all([fetchRows(), countTotal()]);

  const hasMore = rows.length > limit;
  const nodes = rows.slice(0, limit);
  if (backward) nodes.reverse();
  const edges = nodes.map((node) => ({
    cursor: encodeCursor(
      keys.map(([field]) => sortValueOf(node, field)),
      shape,
    ),
    node,
  }));

  const result: PaginatedResult<WithId<TSchema>> = {
    nodes,
    edges,
    pageInfo: {
      hasNextPage: backward ? cursor !== undefined : hasMore,
      hasPreviousPage: backward ? hasMore : cursor !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
  if (totalCount !== undefined) result.totalCount = totalCount;
  return result;
}
