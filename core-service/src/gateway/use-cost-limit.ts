import type { GraphQLSchema } from 'graphql';
import { RELAXED_COMPLEXITY_CONFIG, STANDARD_COMPLEXITY_CONFIG, STRICT_COMPLEXITY_CONFIG, type ComplexityConfig } from '../complexity/complexity-config.js';
import { ComplexityCache } from '../complexity/complexity-cache.js';
import { queryTooComplexError, type ComplexityAnalysis } from '../complexity/query-complexity.js';
import type { Caller, GatewayPlugin } from './gateway-plugin.js';

export interface UseCostLimitConfig {
  /**
   * The schema operations are scored against: the FULL supergraph schema built from the
   * supergraph SDL (a getter, since it changes when the supergraph does). The API schema
   * Apollo executes drops directive applications, so `@cost`/`@listSize` would be invisible.
   */
  schema: () => GraphQLSchema | undefined;
  /** Preset per caller kind. Default anonymous STRICT, user STANDARD, admin RELAXED. */
  presets?: Partial<Record<Caller['kind'], ComplexityConfig>>;
  /** Log and export the cost without rejecting (for rolling a limit out). */
  measureOnly?: boolean;
  /** Called with every analysis (metrics). */
  onAnalysis?: (analysis: ComplexityAnalysis, rejected: boolean, caller: Caller) => void;
}

export const DEFAULT_COST_PRESETS: Record<Caller['kind'], ComplexityConfig> = {
  anonymous: STRICT_COMPLEXITY_CONFIG,
  user: STANDARD_COMPLEXITY_CONFIG,
  admin: RELAXED_COMPLEXITY_CONFIG,
};

/**
 * Scores each operation after Apollo resolved it (so `first: $n` uses the variable's value) and
 * rejects with QUERY_TOO_COMPLEX (measure, value, limit) before the query planner sends anything
 * to a subgraph. The operations of a batch share one context, so the batch is checked as the
 * running sum of its operations' costs.
 */
export function useCostLimit(config: UseCostLimitConfig): GatewayPlugin {
  const presets = { ...DEFAULT_COST_PRESETS, ...config.presets };
  const analyses = new ComplexityCache();
  return {
    name: 'cost-limit',
    onOperation({ context, document, operationName, variables }) {
      const schema = config.schema();
      if (schema === undefined) return; // no supergraph yet: Apollo answers "not ready" itself
      const preset = presets[context.caller.kind];
      // The parsed document, not the source: Apollo parsed it already (and keeps it per query
      // text), its `loc` still gives the token count the source text, and its identity keys
      // the cache of analyses.
      const analysis = analyses.analyze(schema, document, variables, preset, {
        ...(operationName !== undefined ? { operationName } : {}),
      });
      context.batch.cost += analysis.cost;
      context.costOfLastOperation = analysis.cost;
      // The batch total is a cost violation of its own even when each operation fits.
      if (analysis.violations.length === 0 && context.batch.cost > preset.maxComplexity) {
        analysis.violations.push({ measure: 'cost', value: context.batch.cost, limit: preset.maxComplexity });
        analysis.allowed = false;
      }
      const rejected = !analysis.allowed && config.measureOnly !== true;
      config.onAnalysis?.(analysis, rejected, context.caller);
      if (!analysis.allowed) {
        context.logger.info(
          { cost: analysis.cost, batchCost: context.batch.cost, violations: analysis.violations, operationName, measureOnly: config.measureOnly === true },
          'operation over its complexity limits',
        );
      }
      const [violation] = analysis.violations;
      if (rejected && violation) throw queryTooComplexError(violation, analysis);
    },
  };
}
