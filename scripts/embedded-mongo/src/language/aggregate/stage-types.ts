import type { Document } from 'bson';
import type { Variables } from './expression-types.js';

export interface PipelineContext {
  /** Documents of another collection of the same database, read in the same snapshot (for $lookup/$unionWith/$graphLookup). */
  getCollection(name: string): Iterable<Document>;
  /** $$NOW / $$CLUSTER_TIME. */
  now: Date;
  /** The command's `let` variables. */
  variables?: Record<string, unknown>;
}

export type CompiledStage = (input: Document[], ctx: PipelineContext, variables: Variables) => Document[];
/** Sub-pipelines ($lookup, $facet, $unionWith) are compiled through this, which avoids an import cycle. */
export type CompilePipeline = (pipeline: Document[]) => CompiledStage;
export type StageCompiler = (spec: unknown, compilePipeline: CompilePipeline) => CompiledStage;
