import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import type { Collection } from '../../storage/collection.js';
import { collectionArgument } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';

/** dbStats and collStats with the fields tools read; sizes are the BSON bytes of the latest documents. */

/** Rough bytes per index entry, for the size fields (no exact accounting of JS heap use). */
const INDEX_ENTRY_BYTES = 48;

export function dbStats(ctx: CommandContext): Document {
  const colls = ctx.state.engine.collections(ctx.db);
  const objects = colls.reduce((s, c) => s + c.liveCount, 0);
  const dataSize = colls.reduce((s, c) => s + c.liveBytes, 0);
  const indexes = colls.reduce((s, c) => s + c.indexes.size, 0);
  const indexSize = colls.reduce((s, c) => s + indexBytes(c), 0);
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    avgObjSize: objects === 0 ? 0 : dataSize / objects,
    dataSize,
    storageSize: dataSize,
    indexes,
    indexSize,
    totalSize: dataSize + indexSize,
    scaleFactor: 1,
    fsUsedSize: 0,
    fsTotalSize: 0,
    ok: 1,
  };
}

export function collStats(ctx: CommandContext): Document {
  const name = collectionArgument(ctx, 'collStats');
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (coll === undefined) throw new MongoCommandError(ErrorCode.NamespaceNotFound, `Collection [${ctx.db}.${name}] not found.`);
  const indexSizes: Document = {};
  for (const ix of coll.indexes.values()) indexSizes[ix.name] = ix.tree.size * INDEX_ENTRY_BYTES;
  return {
    ns: coll.ns,
    count: coll.liveCount,
    size: coll.liveBytes,
    avgObjSize: coll.liveCount === 0 ? 0 : Math.round(coll.liveBytes / coll.liveCount),
    storageSize: coll.liveBytes,
    nindexes: coll.indexes.size,
    totalIndexSize: indexBytes(coll),
    totalSize: coll.liveBytes + indexBytes(coll),
    indexSizes,
    scaleFactor: 1,
    // As mongod: a capped collection also reports its bounds.
    ...(coll.options.capped === true ? { capped: true, max: coll.options.max ?? 0, maxSize: coll.options.size } : { capped: false }),
    ok: 1,
  };
}

function indexBytes(coll: Collection): number {
  let n = 0;
  for (const ix of coll.indexes.values()) n += ix.tree.size * INDEX_ENTRY_BYTES;
  return n;
}
