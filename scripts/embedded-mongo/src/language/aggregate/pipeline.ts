import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, SEARCH_INDEX_COMMANDS_NOT_ENABLED, SEARCH_STAGES_NOT_ENABLED } from '../../errors.js';
import { isPlainDocument } from '../values/type-order.js';
import { stageCompilers, UNSUPPORTED_STAGES } from './stages.js';
import type { CompiledStage, PipelineContext } from './stage-types.js';

/**
 * The aggregation pipeline: each stage is compiled once into a function from an array of
 * documents to an array of documents, then the stages run in order.
 */
export type { PipelineContext } from './stage-types.js';

export function compilePipeline(pipeline: Document[]): CompiledStage {
  if (!Array.isArray(pipeline)) throw new MongoCommandError(14, "'pipeline' option must be specified as an array");
  const stages = pipeline.map(compileStage);
  return (input, ctx, variables) => {
    let documents = input;
    for (const stage of stages) documents = stage(documents, ctx, variables);
    return documents;
  };
}

export function runPipeline(input: Iterable<Document>, pipeline: Document[], ctx: PipelineContext): Document[] {
  const variables = { NOW: ctx.now, CLUSTER_TIME: ctx.now, ...ctx.variables };
  return compilePipeline(pipeline)(Array.from(input), ctx, variables);
}

function compileStage(stage: Document): CompiledStage {
  if (!isPlainDocument(stage)) throw new MongoCommandError(ErrorCode.TypeMismatch, "Each element of the 'pipeline' array must be an object");
  const names = Object.keys(stage);
  if (names.length !== 1) {
    throw new MongoCommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
  }
  const name = names[0]!;
  const compiler = Object.hasOwn(stageCompilers, name) ? stageCompilers[name] : undefined;
  if (compiler === undefined) {
    if (name === '$listSearchIndexes') throw new MongoCommandError(ErrorCode.SearchNotEnabled, SEARCH_INDEX_COMMANDS_NOT_ENABLED);
    if (name === '$search' || name === '$searchMeta' || name === '$vectorSearch') throw new MongoCommandError(ErrorCode.SearchNotEnabled, SEARCH_STAGES_NOT_ENABLED);
    if (UNSUPPORTED_STAGES.has(name)) {
      throw new MongoCommandError(ErrorCode.NotImplemented, `${name} is not supported by embedded-mongo`);
    }
    throw new MongoCommandError(ErrorCode.UnrecognizedPipelineStage, `Unrecognized pipeline stage name: '${name}'`);
  }
  return compiler(stage[name], compilePipeline);
}
