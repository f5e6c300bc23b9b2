import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { ComplexityEstimator, ComplexityEstimatorArgs } from 'graphql-query-complexity';
import type { ComplexityConfig } from './complexity-config.js';

/**
 * A `graphql-query-complexity` estimator that reads the cost of each field from, in order:
 * the config's `fieldComplexities` map, `@cost(weight:)` on the field, `@cost` on the field's
 * return type, then `defaultFieldComplexity`; and the size of list fields from the slicing
 * argument's value (`first`/`last`, variables resolved), `@listSize(assumedSize:)`, then
 * `listMultiplier`.
 *
 *     cost(field) = fieldCost + costs of the @cost arguments given + size × cost(children)
 *
 * Connections (a field with slicing arguments returning an object with `edges`/`nodes` lists,
 * or one declaring `@listSize(sizedFields:)`) are sized where the items are: the page size
 * multiplies `edges`/`nodes`, not `pageInfo` or `totalCount`. The library hands an estimator
 * only the field's own arguments, so the page size of each connection is found in a pre-pass
 * over the document and looked up by the child's AST node.
 *
 * Why not the library's own `directiveEstimator`: it knows only its `@complexity(value:,
 * multipliers:)` directive, while our schemas (and the composed supergraph) carry the IBM cost
 * spec's `@cost`/`@listSize` that Apollo Federation 2.9+ understands. Directive applications
 * are read from the schema's AST nodes because a schema object carries no other record of them;
 * the gateway must therefore score against the supergraph schema built from SDL, not the API
 * schema, which drops them.
 */
export function createCostEstimator(schema: GraphQLSchema, config: ComplexityConfig, request: CostedRequest): ComplexityEstimator {
  const info = schemaCostInfo(schema, config.slicingArguments);
  const pageSizes = collectPageSizes(schema, request, info, config);
  return (options: ComplexityEstimatorArgs): number => {
    const { type, field, node, args, childComplexity } = options;
    // Introspection (`__schema`, `__type` and the `__Type`/`__Field` objects beneath) costs one
    // per field reached, with no list multiplier: it is bounded like any query, yet the standard
    // introspection query (about 70 fields) stays far below every preset, so developer tools work.
    // `__typename` stays free: clients add it to every selection.
    if (field.name === '__typename') return 0;
    if (field.name.startsWith('__') || type.name.startsWith('__')) return 1 + childComplexity;
    const coordinate = `${type.name}.${field.name}`;
    const fieldCost = config.fieldComplexities[coordinate] ?? info.fieldWeights.get(coordinate) ?? info.typeWeights.get(getNamedType(field.type).name) ?? config.defaultFieldComplexity;
    let argumentCost = 0;
    for (const arg of field.args) {
      if (args[arg.name] !== undefined) argumentCost += info.argumentWeights.get(`${coordinate}(${arg.name}:)`) ?? 0;
    }
    let size: number;
    if (info.sizedFieldsOf.has(coordinate))
      size = 1; // a connection: its page size applies to its items
    else if (info.sizedByParent.has(coordinate)) size = pageSizes.get(node) ?? config.listMultiplier;
    else size = listSize(field, coordinate, args, info, config);
    return fieldCost + argumentCost + size * childComplexity;
  };
}

/** The operation being scored, for the connection pre-pass. */
export interface CostedRequest {
  document: DocumentNode;
  variables?: Readonly<Record<string, unknown>>;
  operationName?: string;
}

function listSize(field: GraphQLField<unknown, unknown>, coordinate: string, args: Record<string, unknown>, info: SchemaCostInfo, config: ComplexityConfig): number {
  const declared = info.listSizes.get(coordinate);
  const slicingArguments = declared?.slicingArguments ?? slicingArgumentsOf(field, config.slicingArguments);
  const sizes = slicingArguments.map((name) => args[name]).filter((value): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0);
  if (sizes.length > 0) return Math.max(...sizes);
  if (declared?.assumedSize !== undefined) return declared.assumedSize;
  // A list, or a paginated connection asked without a page size: the server's page size is
  // not visible from here, so assume the configured one.
  if (isListType(getNullableType(field.type)) || slicingArguments.length > 0) return config.listMultiplier;
  return 1;
}

/**
 * Page size per sized child field node (`edges`/`nodes` under a connection). A node reached
 * from several connections (a shared fragment) keeps the largest size. Each definition is
 * visited once and spreads are expanded one level with a guard, so fragment bombs stay linear.
 */
function collectPageSizes(schema: GraphQLSchema, request: CostedRequest, info: SchemaCostInfo, config: ComplexityConfig): Map<FieldNode, number> {
  const pageSizes = new Map<FieldNode, number>();
  if (info.sizedFieldsOf.size === 0) return pageSizes;
  const fragments = new Map<string, FragmentDefinitionNode>();
  let variableValues: Record<string, unknown> = {};
  for (const definition of request.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION && (request.operationName === undefined || definition.name?.value === request.operationName)) {
      // Invalid variables are reported by the complexity run itself; here they just count as absent.
      const coerced = getVariableValues(schema, definition.variableDefinitions ?? [], { ...request.variables });
      if (coerced.coerced) variableValues = { ...variableValues, ...coerced.coerced };
    }
  }
  const typeInfo = new TypeInfo(schema);
  visit(
    request.document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field || !node.selectionSet) return;
        const coordinate = `${parent.name}.${field.name}`;
        const paths = info.sizedFieldsOf.get(coordinate);
        if (!paths) return;
        let args: Record<string, unknown>;
        try {
          args = getArgumentValues(field, node, variableValues);
        } catch {
          args = {};
        }
        const size = listSize(field, coordinate, args, info, config);
        for (const path of paths) {
          for (const child of fieldNodesAtPath(node.selectionSet, path, fragments)) {
            pageSizes.set(child, Math.max(pageSizes.get(child) ?? 0, size));
          }
        }
      },
    }),
  );
  return pageSizes;
}

function fieldNodesAtPath(selectionSet: SelectionSetNode, path: readonly string[], fragments: ReadonlyMap<string, FragmentDefinitionNode>): FieldNode[] {
  const [name, ...rest] = path;
  const found: FieldNode[] = [];
  const seenFragments = new Set<string>();
  const collect = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) found.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(selectionSet);
  if (rest.length === 0) return found;
  return found.flatMap((field) => (field.selectionSet ? fieldNodesAtPath(field.selectionSet, rest, fragments) : []));
}

function slicingArgumentsOf(field: GraphQLField<unknown, unknown>, names: readonly string[]): string[] {
  return field.args.filter((arg) => names.includes(arg.name)).map((arg) => arg.name);
}

interface ListSizeDeclaration {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

interface SchemaCostInfo {
  fieldWeights: Map<string, number>;
  typeWeights: Map<string, number>;
  argumentWeights: Map<string, number>;
  listSizes: Map<string, ListSizeDeclaration>;
  /** Connection fields → paths of their sized children (`[['edges'], ['nodes']]`). */
  sizedFieldsOf: Map<string, string[][]>;
  /** Coordinates of list fields whose size is the page size of the connection above them. */
  sizedByParent: Set<string>;
}

// `federation__` prefixed names appear when a subgraph uses the directive without importing it.
const COST_DIRECTIVES = new Set(['cost', 'federation__cost']);
const LIST_SIZE_DIRECTIVES = new Set(['listSize', 'federation__listSize']);
const RELAY_SIZED_FIELDS = ['edges', 'nodes'];

const infoBySchema = new WeakMap<GraphQLSchema, Map<string, SchemaCostInfo>>();

function schemaCostInfo(schema: GraphQLSchema, slicingArguments: readonly string[]): SchemaCostInfo {
  // The schema is immutable once built, so one walk per schema (and slicing convention) is enough.
  const key = slicingArguments.join(',');
  let bySlicing = infoBySchema.get(schema);
  if (!bySlicing) {
    bySlicing = new Map();
    infoBySchema.set(schema, bySlicing);
  }
  let info = bySlicing.get(key);
  if (!info) {
    info = collectSchemaCostInfo(schema, slicingArguments);
    bySlicing.set(key, info);
  }
  return info;
}

function collectSchemaCostInfo(schema: GraphQLSchema, slicingArguments: readonly string[]): SchemaCostInfo {
  const info: SchemaCostInfo = {
    fieldWeights: new Map(),
    typeWeights: new Map(),
    argumentWeights: new Map(),
    listSizes: new Map(),
    sizedFieldsOf: new Map(),
    sizedByParent: new Set(),
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const typeWeight = costWeight(directivesOfType(type));
    if (typeWeight !== undefined) info.typeWeights.set(type.name, typeWeight);
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const directives = field.astNode?.directives ?? [];
      const weight = costWeight(directives);
      if (weight !== undefined) info.fieldWeights.set(coordinate, weight);
      for (const arg of field.args) {
        const argWeight = costWeight(arg.astNode?.directives ?? []);
        if (argWeight !== undefined) info.argumentWeights.set(`${coordinate}(${arg.name}:)`, argWeight);
      }
      const declared = listSizeDeclaration(directives);
      if (declared) info.listSizes.set(coordinate, declared);
      // Relay convention: a non-list field with slicing arguments is a connection.
      const isSliced = (declared?.slicingArguments ?? slicingArgumentsOf(field, slicingArguments)).length > 0;
      const sizedFields = declared?.sizedFields ?? (isSliced && !isListType(getNullableType(field.type)) ? RELAY_SIZED_FIELDS : []);
      const paths: string[][] = [];
      for (const path of sizedFields) {
        const segments = path.split('.');
        const sized = resolveFieldPath(getNamedType(field.type), segments);
        // The Relay convention applies only where `edges`/`nodes` really are lists.
        if (sized && (declared?.sizedFields || isListType(getNullableType(sized.field.type)))) {
          info.sizedByParent.add(`${sized.ownerName}.${sized.field.name}`);
          paths.push(segments);
        }
      }
      if (paths.length > 0) info.sizedFieldsOf.set(coordinate, paths);
    }
  }
  return info;
}

function resolveFieldPath(type: GraphQLNamedType, path: string[]): { ownerName: string; field: GraphQLField<unknown, unknown> } | undefined {
  let owner = type;
  for (const [index, name] of path.entries()) {
    if (!isObjectType(owner) && !isInterfaceType(owner)) return undefined;
    const field = owner.getFields()[name];
    if (!field) return undefined;
    if (index === path.length - 1) return { ownerName: owner.name, field };
    owner = getNamedType(field.type);
  }
  return undefined;
}

function directivesOfType(type: GraphQLNamedType): readonly ConstDirectiveNode[] {
  const nodes = [type.astNode, ...(type.extensionASTNodes ?? [])];
  return nodes.flatMap((node) => node?.directives ?? []);
}

function directiveArguments(directive: ConstDirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((arg) => [arg.name.value, valueFromASTUntyped(arg.value)]));
}

function costWeight(directives: readonly ConstDirectiveNode[]): number | undefined {
  const cost = directives.find((d) => COST_DIRECTIVES.has(d.name.value));
  if (!cost) return undefined;
  // Apollo declares `weight: Int!`, the IBM spec `weight: String!`; accept both.
  const weight = Number(directiveArguments(cost)['weight']);
  return Number.isFinite(weight) && weight >= 0 ? weight : undefined;
}

function listSizeDeclaration(directives: readonly ConstDirectiveNode[]): ListSizeDeclaration | undefined {
  const listSize = directives.find((d) => LIST_SIZE_DIRECTIVES.has(d.name.value));
  if (!listSize) return undefined;
  const args = directiveArguments(listSize);
  const declaration: ListSizeDeclaration = {};
  const assumedSize = args['assumedSize'];
  if (typeof assumedSize === 'number' || typeof assumedSize === 'string') {
    const size = Number(assumedSize);
    if (Number.isFinite(size) && size >= 0) declaration.assumedSize = size;
  }
  const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined);
  const slicing = strings(args['slicingArguments']);
  if (slicing) declaration.slicingArguments = slicing;
  const sized = strings(args['sizedFields']);
  if (sized) declaration.sizedFields = sized;
  return declaration;
}
