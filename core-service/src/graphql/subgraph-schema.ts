import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, visit, type DocumentNode, type GraphQLFieldResolver, type GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { getErrorCodes } from '../errors/registry.js';
import { STANDARD_SCALARS } from './scalars.js';

/** The resolver map `buildSubgraphSchema` accepts (its own type is not exported publicly). */
export interface SubgraphResolvers<TContext = unknown> {
  [typeName: string]:
    | {
        [fieldName: string]: GraphQLFieldResolver<any, TContext> | { requires?: string; resolve?: GraphQLFieldResolver<any, TContext>; subscribe?: GraphQLFieldResolver<any, TContext> };
      }
    | GraphQLScalarType
    | { [enumValue: string]: string | number };
}

export type TypeDefsInput = string | DocumentNode | ReadonlyArray<string | DocumentNode>;

/**
 * `buildSubgraphSchema` plus what every subgraph shares:
 * - the standard scalars (`Amount`, `DateTime`, `JSON`): their implementations are attached to
 *   whichever of them the SDL uses, and a `scalar` declaration is added when the SDL uses one
 *   without declaring it. The service's `schema.graphql` stays the source of truth (the
 *   supergraph is composed from those files), so nothing the SDL does not mention is added.
 * - `Query.errorCodes`: resolved from the error registry when the SDL declares the field and
 *   the service did not resolve it itself.
 */
export function buildServiceSchema<TContext>(typeDefs: TypeDefsInput, resolvers: SubgraphResolvers<TContext> | ReadonlyArray<SubgraphResolvers<TContext>> = {}): GraphQLSchema {
  const document = mergeTypeDefs(typeDefs);
  const declared = new Set<string>();
  const referenced = new Set<string>();
  let declaresErrorCodes = false;
  visit(document, {
    ScalarTypeDefinition(node) {
      declared.add(node.name.value);
    },
    NamedType(node) {
      referenced.add(node.name.value);
    },
    ObjectTypeDefinition(node) {
      if (node.name.value === 'Query' && node.fields?.some((f) => f.name.value === 'errorCodes')) declaresErrorCodes = true;
    },
    ObjectTypeExtension(node) {
      if (node.name.value === 'Query' && node.fields?.some((f) => f.name.value === 'errorCodes')) declaresErrorCodes = true;
    },
  });

  const missingScalars = Object.keys(STANDARD_SCALARS).filter((name) => referenced.has(name) && !declared.has(name));
  const fullDocument: DocumentNode = missingScalars.length
    ? { ...document, definitions: [...document.definitions, ...parse(missingScalars.map((n) => `scalar ${n}`).join('\n')).definitions] }
    : document;

  const merged: SubgraphResolvers<TContext> = {};
  for (const [name, scalar] of Object.entries(STANDARD_SCALARS)) {
    if (referenced.has(name) || declared.has(name)) merged[name] = scalar;
  }
  const maps: ReadonlyArray<SubgraphResolvers<TContext>> = Array.isArray(resolvers) ? (resolvers as ReadonlyArray<SubgraphResolvers<TContext>>) : [resolvers as SubgraphResolvers<TContext>];
  for (const map of maps) {
    for (const [typeName, entry] of Object.entries(map)) {
      const existing = merged[typeName];
      // Field maps of one type from several modules are merged; a scalar or enum map replaces.
      merged[typeName] = existing && isFieldMap(existing) && isFieldMap(entry) ? ({ ...existing, ...entry } as SubgraphResolvers<TContext>[string]) : entry;
    }
  }
  if (declaresErrorCodes) {
    const query = (merged['Query'] ?? {}) as Record<string, unknown>;
    if (!('errorCodes' in query)) merged['Query'] = { ...query, errorCodes: () => getErrorCodes() } as SubgraphResolvers<TContext>[string];
  }
  return buildSubgraphSchema([{ typeDefs: fullDocument, resolvers: merged as never }]);
}

function mergeTypeDefs(typeDefs: TypeDefsInput): DocumentNode {
  const parts = (Array.isArray(typeDefs) ? typeDefs : [typeDefs]) as ReadonlyArray<string | DocumentNode>;
  const documents = parts.map((part) => (typeof part === 'string' ? parse(part) : part));
  return { kind: Kind.DOCUMENT, definitions: documents.flatMap((d) => d.definitions) };
}

function isFieldMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !('serialize' in value);
}
