import { GraphQLError as BaseGraphQLError, parse, print, type DocumentNode, type GraphQLSchema } from 'graphql';
import { getComplexity } from 'graphql-query-complexity';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError, type GraphQLError } from '../errors/graphql-error.js';
import { getLogger } from '../logger/logger.js';
import { STANDARD_COMPLEXITY_CONFIG, type ComplexityConfig } from './complexity-config.js';
import { createCostEstimator } from './cost-estimator.js';
import { countTokens, measureDocumentShape } from './document-measures.js';

export type ComplexityMeasure = 'tokens' | 'depth' | 'aliases' | 'directives' | 'nodes' | 'cost';

/** Field nodes visited (fragments expanded) before costing gives up; far above any honest query. */
export const MAX_QUERY_NODES = 10_000;

export interface ComplexityLimits {
  maxComplexity: number;
  maxDepth: number;
  maxIntrospectionDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxDirectivesPerField: number;
  maxTokens: number;
}

export interface ComplexityViolation {
  measure: ComplexityMeasure;
  value: number;
  limit: number;
}

export interface ComplexityAnalysis {
  cost: number;
  /** Same as `cost`; the brief's name for it. */
  complexity: number;
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
  limits: ComplexityLimits;
  /** Same as `limits.maxComplexity`; the brief's name for it. */
  maxComplexity: number;
  allowed: boolean;
  /** Every limit exceeded, in the order they are checked (cheapest measure first). */
  violations: ComplexityViolation[];
}

export interface AnalyzeOptions {
  /** Scores only this operation; without it every operation in the document is scored (summed). */
  operationName?: string;
}

/**
 * Measures an operation against a config's limits and reports all of it, allowed or not.
 * Tokens are counted before parsing: a document over the token limit is never parsed.
 *
 * `schema` may be a subgraph schema or the supergraph schema (see cost-estimator.ts for why the
 * gateway needs the latter). Variables are resolved, so `first: $n` multiplies by `n`.
 */
export function analyzeQueryComplexity(
  schema: GraphQLSchema,
  query: string | DocumentNode,
  variables: Readonly<Record<string, unknown>> = {},
  config: ComplexityConfig = STANDARD_COMPLEXITY_CONFIG,
  options: AnalyzeOptions = {},
): ComplexityAnalysis {
  const limits: ComplexityLimits = {
    maxComplexity: config.maxComplexity,
    maxDepth: config.maxDepth,
    maxIntrospectionDepth: config.maxIntrospectionDepth,
    maxAliases: config.maxAliases,
    maxDirectives: config.maxDirectives,
    maxDirectivesPerField: config.maxDirectivesPerField,
    maxTokens: config.maxTokens,
  };
  const analysis: ComplexityAnalysis = {
    cost: 0,
    complexity: 0,
    depth: 0,
    aliases: 0,
    directives: 0,
    tokens: 0,
    limits,
    maxComplexity: limits.maxComplexity,
    allowed: true,
    violations: [],
  };
  const finish = (): ComplexityAnalysis => {
    analysis.complexity = analysis.cost;
    analysis.allowed = analysis.violations.length === 0;
    if (config.logComplexity) {
      const { limits: _limits, violations, ...measures } = analysis;
      getLogger().info({ complexity: measures, violations, operationName: options.operationName }, 'graphql operation complexity');
    }
    return analysis;
  };
  const check = (measure: ComplexityMeasure, value: number, limit: number): boolean => {
    if (value <= limit) return true;
    analysis.violations.push({ measure, value, limit });
    return false;
  };

  // Count one token past the limit at most: the exact size of a rejected giant is not worth lexing.
  const source = typeof query === 'string' ? query : (query.loc?.source.body ?? print(query));
  analysis.tokens = countTokens(source, limits.maxTokens);
  if (!check('tokens', analysis.tokens, limits.maxTokens)) return finish();

  const document = typeof query === 'string' ? parse(query, { maxTokens: limits.maxTokens }) : query;
  const shape = measureDocumentShape(document, options.operationName);
  analysis.depth = shape.depth;
  analysis.aliases = shape.aliases;
  analysis.directives = shape.directives;
  check('depth', shape.depth, limits.maxDepth);
  check('depth', shape.introspectionDepth, limits.maxIntrospectionDepth);
  check('aliases', shape.aliases, limits.maxAliases);
  check('directives', shape.directives, limits.maxDirectives);
  check('directives', shape.fieldDirectives, limits.maxDirectivesPerField);

  // Costed even when a shape limit already failed, so measure-only mode and the error report
  // every figure. graphql-query-complexity expands fragments at each spread; its node cap keeps
  // a fragment bomb from turning that into unbounded work.
  try {
    analysis.cost = getComplexity({
      schema,
      query: document,
      variables: { ...variables },
      ...(options.operationName !== undefined ? { operationName: options.operationName } : {}),
      estimators: [
        createCostEstimator(schema, config, {
          document,
          variables,
          ...(options.operationName !== undefined ? { operationName: options.operationName } : {}),
        }),
      ],
      maxQueryNodes: MAX_QUERY_NODES,
    });
  } catch (error) {
    if (error instanceof BaseGraphQLError && error.message.includes('maximum allowed number of nodes')) {
      analysis.violations.push({ measure: 'nodes', value: MAX_QUERY_NODES + 1, limit: MAX_QUERY_NODES });
      return finish();
    }
    // Variables that do not fit their declared types: the client's mistake, said as such.
    if (error instanceof BaseGraphQLError) {
      throw createServiceError(CORE_ERRORS.BadUserInput, error.message, {}, error);
    }
    throw error;
  }
  check('cost', analysis.cost, limits.maxComplexity);
  return finish();
}

/** Like `analyzeQueryComplexity`, but throws QUERY_TOO_COMPLEX for the first limit exceeded. */
export function validateQueryComplexity(
  schema: GraphQLSchema,
  query: string | DocumentNode,
  variables: Readonly<Record<string, unknown>> = {},
  config: ComplexityConfig = STANDARD_COMPLEXITY_CONFIG,
  options: AnalyzeOptions = {},
): ComplexityAnalysis {
  const analysis = analyzeQueryComplexity(schema, query, variables, config, options);
  const [violation] = analysis.violations;
  if (violation) throw queryTooComplexError(violation, analysis);
  return analysis;
}

const MEASURE_WORDING: Record<ComplexityMeasure, string> = {
  tokens: 'has more tokens than allowed',
  depth: 'is nested deeper than allowed',
  aliases: 'uses more aliases than allowed',
  directives: 'uses more directives than allowed',
  nodes: 'expands to more fields than allowed',
  cost: 'costs more than allowed',
};

/**
 * QUERY_TOO_COMPLEX with the measure, its computed value and the limit in extensions, so a
 * client can tell "ask for a smaller page" from "stop nesting".
 */
export function queryTooComplexError(violation: ComplexityViolation, analysis?: ComplexityAnalysis): GraphQLError {
  return createServiceError(CORE_ERRORS.QueryTooComplex, `The operation ${MEASURE_WORDING[violation.measure]}: ${violation.measure} ${violation.value}, limit ${violation.limit}.`, {
    measure: violation.measure,
    value: violation.value,
    limit: violation.limit,
    // A policy refusal, like RATE_LIMITED's 429: never a 5xx.
    http: { status: 400 },
    ...(analysis
      ? {
          cost: analysis.cost,
          maxComplexity: analysis.maxComplexity,
          depth: analysis.depth,
          aliases: analysis.aliases,
          directives: analysis.directives,
          tokens: analysis.tokens,
        }
      : {}),
  });
}
