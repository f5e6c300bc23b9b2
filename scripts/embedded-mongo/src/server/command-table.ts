import type { CommandHandler } from './command-context.js';
import { aggregate } from './commands/aggregate.js';
import { bulkWrite } from './commands/bulk-write.js';
import { create, drop, dropDatabase, listCollections, listDatabases, renameCollection } from './commands/collections.js';
import { count } from './commands/count.js';
import { deleteCommand } from './commands/delete.js';
import * as diagnostics from './commands/diagnostics.js';
import { distinct } from './commands/distinct.js';
import { explain } from './commands/explain.js';
import { find } from './commands/find.js';
import { findAndModify } from './commands/find-and-modify.js';
import { getMore, killCursors } from './commands/get-more.js';
import { hello } from './commands/hello.js';
import { collMod, createIndexes, dropIndexes, listIndexes } from './commands/indexes.js';
import { insert } from './commands/insert.js';
import { searchIndexCommand } from './commands/search-indexes.js';
import * as sessions from './commands/session-commands.js';
import { collStats, dbStats } from './commands/stats.js';
import { update } from './commands/update.js';

/** Every command the server answers, by name (anything else is CommandNotFound). */
export const commandTable: Record<string, CommandHandler> = {
  hello,
  isMaster: hello,
  ping: diagnostics.ping,
  buildInfo: diagnostics.buildInfo,
  getParameter: diagnostics.getParameter,
  setParameter: diagnostics.setParameter,
  configureFailPoint: diagnostics.configureFailPoint,
  serverStatus: diagnostics.serverStatus,
  hostInfo: diagnostics.hostInfo,
  whatsmyuri: diagnostics.whatsmyuri,
  connectionStatus: diagnostics.connectionStatus,
  getCmdLineOpts: diagnostics.getCmdLineOpts,
  getLog: diagnostics.getLog,
  listDatabases,
  listCollections,
  create,
  drop,
  dropDatabase,
  renameCollection,
  insert,
  find,
  getMore,
  killCursors,
  update,
  delete: deleteCommand,
  findAndModify,
  bulkWrite,
  count,
  distinct,
  aggregate,
  explain,
  createIndexes,
  listIndexes,
  dropIndexes,
  collMod,
  createSearchIndexes: searchIndexCommand,
  updateSearchIndex: searchIndexCommand,
  dropSearchIndex: searchIndexCommand,
  dbStats,
  collStats,
  commitTransaction: sessions.commitTransaction,
  abortTransaction: sessions.abortTransaction,
  endSessions: sessions.endSessions,
  killSessions: sessions.killSessions,
  killAllSessions: sessions.killAllSessions,
  refreshSessions: sessions.refreshSessions,
  startSession: sessions.startSession,
};
