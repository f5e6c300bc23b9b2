import type { Document } from 'bson';
import { Long } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { compileFilter } from '../../filter.js';
import { collectValuesAlongPath, splitPath, EMPTY_ARRAY } from '../../path.js';
import { isNumeric, toExactInteger } from '../../values/numeric.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileExpression } from '../expressions.js';
import { groupKeyOf } from '../../values/group-key.js';
import type { StageCompiler } from '../stage-types.js';
import { setFieldPath } from './set-field-path.js';

/**
 * $graphLookup: a breadth-first search over another collection, following
 * connectFromField → connectToField with query equality semantics (arrays match by element),
 * each document visited once, optionally bounded by maxDepth and filtered by
 * restrictSearchWithMatch.
 */
export const graphLookup: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(40327, 'the $graphLookup stage specification must be an object');
  const { from, startWith, connectFromField, connectToField, as, maxDepth, depthField, restrictSearchWithMatch } = spec;
  if (typeof from !== 'string') throw new MongoCommandError(40103, "missing 'from' option to $graphLookup stage specification");
  if (typeof as !== 'string') throw new MongoCommandError(40103, "missing 'as' option to $graphLookup stage specification");
  if (typeof connectFromField !== 'string') throw new MongoCommandError(40103, "missing 'connectFromField' option to $graphLookup stage specification");
  if (typeof connectToField !== 'string') throw new MongoCommandError(40103, "missing 'connectToField' option to $graphLookup stage specification");
  if (startWith === undefined) throw new MongoCommandError(40103, "missing 'startWith' option to $graphLookup stage specification");
  let depthLimit = Infinity;
  if (maxDepth !== undefined) {
    const integer = isNumeric(maxDepth) ? toExactInteger(maxDepth) : undefined;
    if (integer === undefined || integer < 0n) throw new MongoCommandError(40101, 'maxDepth requires a nonnegative argument');
    depthLimit = Number(integer);
  }
  if (depthField !== undefined && typeof depthField !== 'string') throw new MongoCommandError(40103, "'depthField' option to $graphLookup must be a string");
  const restriction = restrictSearchWithMatch === undefined ? () => true : compileFilter(restrictSearchWithMatch as Document);
  const start = compileExpression(startWith);
  const fromParts = splitPath(connectFromField);
  const toParts = splitPath(connectToField);

  return (input, ctx, variables) => {
    const candidates = Array.from(ctx.getCollection(from)).filter((doc) => restriction(doc));
    const byConnectTo = new Map<string, Document[]>();
    for (const doc of candidates) {
      for (const key of new Set(keysOf(doc, toParts))) {
        let bucket = byConnectTo.get(key);
        if (bucket === undefined) byConnectTo.set(key, (bucket = []));
        bucket.push(doc);
      }
    }
    return input.map((doc) => {
      const startValue = start(doc, variables);
      let frontier = (Array.isArray(startValue) ? startValue : [startValue]).map((value) => groupKeyOf(value ?? null));
      const visited = new Set<Document>();
      const found: Document[] = [];
      for (let depth = 0; depth <= depthLimit && frontier.length > 0; depth++) {
        const next: string[] = [];
        for (const key of new Set(frontier)) {
          for (const match of byConnectTo.get(key) ?? []) {
            if (visited.has(match)) continue;
            visited.add(match);
            found.push(depthField === undefined ? match : setFieldPath(match, depthField, Long.fromNumber(depth)));
            next.push(...keysOf(match, fromParts));
          }
        }
        frontier = next;
      }
      return setFieldPath(doc, as, found);
    });
  };
};

function keysOf(doc: Document, parts: string[]): string[] {
  const { values } = collectValuesAlongPath(doc, parts);
  return values.map((value) => groupKeyOf(value === EMPTY_ARRAY ? null : value));
}
