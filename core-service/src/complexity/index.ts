export {
  createComplexityConfig,
  STRICT_COMPLEXITY_CONFIG,
  STANDARD_COMPLEXITY_CONFIG,
  RELAXED_COMPLEXITY_CONFIG,
} from './complexity-config.js';
export type { ComplexityConfig, ComplexityConfigInput } from './complexity-config.js';
export {
  analyzeQueryComplexity,
  validateQueryComplexity,
  queryTooComplexError,
  MAX_QUERY_NODES,
} from './query-complexity.js';
export type {
  AnalyzeOptions,
  ComplexityAnalysis,
  ComplexityLimits,
  ComplexityMeasure,
  ComplexityViolation,
} from './query-complexity.js';
export { ComplexityCache, costShapeOfVariables } from './complexity-cache.js';
export type { ComplexityCacheOptions } from './complexity-cache.js';
export { createCostEstimator } from './cost-estimator.js';
export type { CostedRequest } from './cost-estimator.js';
export { countTokens, measureDocumentShape } from './document-measures.js';
export type { ShapeMeasures } from './document-measures.js';
