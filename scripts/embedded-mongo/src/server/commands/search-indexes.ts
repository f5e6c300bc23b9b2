import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, SEARCH_INDEX_COMMANDS_NOT_ENABLED } from '../../errors.js';
import type { CommandContext } from '../command-context.js';

/**
 * createSearchIndexes, updateSearchIndex, dropSearchIndex: Atlas Search index management. A
 * mongod without a search process (mongot) configured, as this one, refuses them with
 * SearchNotEnabled; so does `$listSearchIndexes` (see the aggregation pipeline).
 */
export function searchIndexCommand(_ctx: CommandContext): Document {
  throw new MongoCommandError(ErrorCode.SearchNotEnabled, SEARCH_INDEX_COMMANDS_NOT_ENABLED);
}
