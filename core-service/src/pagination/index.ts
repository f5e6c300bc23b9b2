export { paginateCollection, DEFAULT_MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from './paginate-collection.js';
export type { Edge, PageInfo, PaginatedResult, PaginateOptions } from './paginate-collection.js';
export { configureCursorSecret, decodeCursor, encodeCursor } from './cursor.js';
export { buildKeysetFilter, buildKeysetQueries } from './keyset-filter.js';
export type { PaginationSort, SortDirection, SortKey } from './sort-keys.js';
