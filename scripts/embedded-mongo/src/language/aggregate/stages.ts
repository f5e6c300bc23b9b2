import type { StageCompiler } from './stage-types.js';
import { count, facet, limit, match, sample, skip, sort, unionWith } from './stages/flow.js';
import { bucket } from './stages/bucket.js';
import { bucketAuto } from './stages/bucket-auto.js';
import { densify } from './stages/densify.js';
import { fill } from './stages/fill.js';
import { graphLookup } from './stages/graph-lookup.js';
import { group, sortByCount } from './stages/group.js';
import { lookup } from './stages/lookup.js';
import { addFields, project, replaceRoot, replaceWith, unset } from './stages/shaping.js';
import { redact } from './stages/redact.js';
import { setWindowFields } from './stages/set-window-fields.js';
import { unwind } from './stages/unwind.js';

/** Every pipeline stage the engine implements, by name. */
export const stageCompilers: Record<string, StageCompiler> = {
  $match: match,
  $project: project,
  $addFields: addFields,
  $set: addFields,
  $unset: unset,
  $replaceRoot: replaceRoot,
  $replaceWith: replaceWith,
  $sort: sort,
  $limit: limit,
  $skip: skip,
  $count: count,
  $group: group,
  $sortByCount: sortByCount,
  $unwind: unwind,
  $lookup: lookup,
  $facet: facet,
  $unionWith: unionWith,
  $sample: sample,
  $bucket: bucket,
  $bucketAuto: bucketAuto,
  $graphLookup: graphLookup,
  $setWindowFields: setWindowFields,
  $redact: redact,
  $fill: fill,
  $densify: densify,
};

/** Real MongoDB stages this engine does not implement; $out and $merge belong to the server. */
export const UNSUPPORTED_STAGES = new Set([
  '$out',
  '$merge',
  '$geoNear',
  '$documents',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$listLocalSessions',
  '$planCacheStats',
  '$changeStream',
  '$changeStreamSplitLargeEvent',
]);
