import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { runPipeline } from '../aggregate/pipeline.js';
import { isPlainDocument } from '../values/type-order.js';

/** Stages MongoDB allows in an update pipeline. */
const UPDATE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

export function runUpdatePipeline(doc: Document, pipeline: Document[], variables?: Record<string, unknown>): Document {
  for (const stage of pipeline) {
    const name = isPlainDocument(stage) ? Object.keys(stage)[0] : undefined;
    if (name === undefined || !UPDATE_STAGES.has(name)) {
      throw new MongoCommandError(ErrorCode.InvalidOptions, `${name ?? 'stage'} is not allowed to be used within an update`);
    }
  }
  const [result] = runPipeline([doc], pipeline, { getCollection: () => [], now: new Date(), ...(variables !== undefined ? { variables } : {}) });
  return result ?? {};
}
