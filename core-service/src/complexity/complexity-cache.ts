import type { DocumentNode, GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { ComplexityConfig } from './complexity-config.js';
import { analyzeQueryComplexity, type AnalyzeOptions, type ComplexityAnalysis } from './query-complexity.js';

export interface ComplexityCacheOptions {
  /** Variable shapes remembered per document (LRU). Default 32. */
  shapesPerDocument?: number;
}

/** Cost shapes longer than this are scored every time rather than kept as a key. */
const MAX_SHAPE_KEY_LENGTH = 2_048;

/**
 * `analyzeQueryComplexity` remembered per parsed document, so the gateway scores a document
 * once rather than on every request: counting tokens, measuring depth and running
 * graphql-query-complexity was the largest share of the gateway's own CPU per request.
 *
 * Keyed by document object identity (Apollo Server keeps one parsed `DocumentNode` per query
 * text in its document store, so a repeated query arrives as the same object; a new parse is a
 * new key, never a wrong one), then by schema (a recomposed supergraph scores anew), preset,
 * operation name and the variables' cost shape (`costShapeOfVariables`). Documents are held
 * weakly: an entry lives as long as Apollo keeps the document. Requests whose variables fail
 * to coerce throw as before and are never remembered.
 */
export class ComplexityCache {
  readonly #byDocument = new WeakMap<DocumentNode, { schema: GraphQLSchema; analyses: LRUCache<string, ComplexityAnalysis> }>();
  readonly #configIds = new WeakMap<ComplexityConfig, number>();
  readonly #shapesPerDocument: number;

  constructor(options: ComplexityCacheOptions = {}) {
    this.#shapesPerDocument = options.shapesPerDocument ?? 32;
  }

  analyze(schema: GraphQLSchema, document: DocumentNode, variables: Readonly<Record<string, unknown>>, config: ComplexityConfig, options: AnalyzeOptions = {}): ComplexityAnalysis {
    // A config that logs every analysis must see every request.
    if (config.logComplexity) return analyzeQueryComplexity(schema, document, variables, config, options);
    const shape = costShapeOfVariables(variables);
    if (shape.length > MAX_SHAPE_KEY_LENGTH) return analyzeQueryComplexity(schema, document, variables, config, options);
    let entry = this.#byDocument.get(document);
    if (entry === undefined || entry.schema !== schema) {
      entry = { schema, analyses: new LRUCache({ max: this.#shapesPerDocument }) };
      this.#byDocument.set(document, entry);
    }
    const key = `${this.#configId(config)}\u0000${options.operationName ?? ''}\u0000${shape}`;
    let analysis = entry.analyses.get(key);
    if (analysis === undefined) {
      analysis = analyzeQueryComplexity(schema, document, variables, config, options);
      entry.analyses.set(key, analysis);
    }
    // A copy the caller may add violations to (the batch total) without touching the cached one.
    return { ...analysis, violations: [...analysis.violations] };
  }

  #configId(config: ComplexityConfig): number {
    let id = this.#configIds.get(config);
    if (id === undefined) this.#configIds.set(config, (id = nextConfigId++));
    return id;
  }
}

let nextConfigId = 1;

/**
 * The part of the variables an operation's cost can depend on, as a string key: numbers (page
 * sizes, `first: $n`) and booleans (`@include(if: $flag)`) by value, whether each value is
 * present or null (argument weights count given arguments), the structure of lists and input
 * objects; every string is the same `"s"`. Strings never change the cost: sizes are read only
 * from numeric values (cost-estimator.ts, `listSize`), and a string where a number belongs is
 * refused before the cost limit runs (useVariableCoercion). So a transfer's ids, references and
 * idempotency keys do not split one document's cache entry per request.
 */
export function costShapeOfVariables(variables: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(variables, (_key, value: unknown) => (typeof value === 'string' ? 's' : value)) ?? '';
}
