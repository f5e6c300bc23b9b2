/**
 * What a caller may spend on one GraphQL operation.
 *
 * The gateway picks a preset by caller (anonymous STRICT, user STANDARD, admin RELAXED) and
 * scores every operation against the full supergraph schema before any subgraph is called.
 */
export interface ComplexityConfig {
  /** Largest allowed cost (sum of field costs, list fields multiplied by their size). */
  readonly maxComplexity: number;
  /** Deepest allowed field nesting; the top-level fields are depth 1. */
  readonly maxDepth: number;
  /**
   * Deepest allowed nesting of a path through introspection (`__schema`, `__type`), every level
   * counted. Its own limit, not `maxDepth`: the standard introspection query (GraphiQL, codegen)
   * is 15 deep, and developer tools run as anonymous callers whose `maxDepth` is 5.
   */
  readonly maxIntrospectionDepth: number;
  /** Most aliased fields allowed in one operation (aliases are how one query repeats an expensive field). */
  readonly maxAliases: number;
  /** Most directive applications allowed in one operation (`@include`/`@skip` spam is a parser DoS). */
  readonly maxDirectives: number;
  /** Most directive applications allowed on one field, fragment spread or inline fragment. */
  readonly maxDirectivesPerField: number;
  /** Most lexical tokens allowed; enforced while parsing, so an oversized document is never fully parsed. */
  readonly maxTokens: number;
  /** Assumed size of a list field that has neither a slicing argument value nor `@listSize(assumedSize:)`. */
  readonly listMultiplier: number;
  /** Cost of a field that has no entry in `fieldComplexities` and no `@cost`. */
  readonly defaultFieldComplexity: number;
  /** Per-field costs by schema coordinate, e.g. `{ 'Query.transactions': 20 }`; wins over `@cost`. */
  readonly fieldComplexities: Readonly<Record<string, number>>;
  /** Arguments whose value is the size of the list a field returns (Relay `first`/`last`). */
  readonly slicingArguments: readonly string[];
  /** Log every analysed operation's measures (the gateway's measure-only mode uses this). */
  readonly logComplexity: boolean;
}

export type ComplexityConfigInput = Partial<ComplexityConfig>;

const DEFAULTS: ComplexityConfig = {
  maxComplexity: 1000,
  maxDepth: 10,
  maxIntrospectionDepth: 15,
  maxAliases: 30,
  maxDirectives: 50,
  maxDirectivesPerField: 5,
  maxTokens: 5000,
  listMultiplier: 10,
  defaultFieldComplexity: 1,
  fieldComplexities: {},
  slicingArguments: ['first', 'last'],
  logComplexity: false,
};

/** Fills the defaults and rejects limits that would silently disable a check (0, negative, NaN). */
export function createComplexityConfig(input: ComplexityConfigInput = {}): ComplexityConfig {
  const config: ComplexityConfig = {
    ...DEFAULTS,
    ...stripUndefined(input),
    fieldComplexities: { ...DEFAULTS.fieldComplexities, ...input.fieldComplexities },
    slicingArguments: [...(input.slicingArguments ?? DEFAULTS.slicingArguments)],
  };
  const positiveIntegers = ['maxComplexity', 'maxDepth', 'maxIntrospectionDepth', 'maxAliases', 'maxDirectives', 'maxDirectivesPerField', 'maxTokens', 'listMultiplier'] as const;
  for (const key of positiveIntegers) {
    const value = config[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`complexity config: ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (!Number.isFinite(config.defaultFieldComplexity) || config.defaultFieldComplexity < 0) {
    throw new RangeError('complexity config: defaultFieldComplexity must be a non-negative number');
  }
  for (const [coordinate, cost] of Object.entries(config.fieldComplexities)) {
    if (!/^[_A-Za-z][_0-9A-Za-z]*\.[_A-Za-z][_0-9A-Za-z]*$/.test(coordinate)) {
      throw new RangeError(`complexity config: "${coordinate}" is not a Type.field coordinate`);
    }
    if (!Number.isFinite(cost) || cost < 0) {
      throw new RangeError(`complexity config: cost of ${coordinate} must be a non-negative number`);
    }
  }
  return Object.freeze(config);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Anonymous callers and public APIs. */
export const STRICT_COMPLEXITY_CONFIG: ComplexityConfig = createComplexityConfig({
  maxComplexity: 500,
  maxDepth: 5,
  maxAliases: 10,
  maxDirectives: 20,
  maxTokens: 2000,
});

/** Authenticated users. */
export const STANDARD_COMPLEXITY_CONFIG: ComplexityConfig = createComplexityConfig({
  maxComplexity: 1000,
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5000,
});

/** Admins and internal callers. */
export const RELAXED_COMPLEXITY_CONFIG: ComplexityConfig = createComplexityConfig({
  maxComplexity: 5000,
  maxDepth: 15,
  maxAliases: 100,
  maxDirectives: 200,
  maxTokens: 20000,
});
