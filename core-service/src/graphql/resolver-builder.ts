import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import type { SubgraphResolvers } from './subgraph-schema.js';
import type { ValidationChain, ValidationContext } from './validation-chain.js';

/** A root field resolver as services write them: arguments and context first, no parent. */
export type OperationResolver<TCtx, TArgs = any, TResult = unknown> = (args: TArgs, ctx: TCtx, info: GraphQLResolveInfo) => TResult | Promise<TResult>;

/** A service module contributing resolvers: its map, or an object carrying one. */
export type ResolverSource<TCtx> = SubgraphResolvers<TCtx> | { resolvers: SubgraphResolvers<TCtx> };

export interface OperationOptions {
  /** Runs before the resolver; a failure throws its coded error and the resolver never runs. */
  validation?: ValidationChain;
}

export interface ResolverBuilder<TCtx> {
  addQuery(name: string, resolver: OperationResolver<TCtx>, options?: OperationOptions): ResolverBuilder<TCtx>;
  addMutation(name: string, resolver: OperationResolver<TCtx>, options?: OperationOptions): ResolverBuilder<TCtx>;
  /** Field resolvers of an object type, with the usual `(parent, args, ctx, info)`. */
  addType(typeName: string, fields: Record<string, GraphQLFieldResolver<any, TCtx>>): ResolverBuilder<TCtx>;
  /** `__resolveReference` for a federated entity. */
  addEntity(typeName: string, resolveReference: (reference: any, ctx: TCtx, info: GraphQLResolveInfo) => unknown): ResolverBuilder<TCtx>;
  /** Merges another module's resolvers (`{ Query, Mutation, Wallet, ... }`). */
  addService(source: ResolverSource<TCtx>): ResolverBuilder<TCtx>;
  build(): SubgraphResolvers<TCtx>;
}

/**
 * The brief's resolver builder. Two modules defining the same field is an error at build time:
 * with plain object spreading the later one silently wins, which is how a resolver goes
 * missing without a test noticing.
 */
export function createResolverBuilder<TCtx extends ValidationContext = ValidationContext>(): ResolverBuilder<TCtx> {
  const types = new Map<string, Record<string, unknown>>();
  const others = new Map<string, unknown>();

  const setField = (typeName: string, field: string, value: unknown): void => {
    let fields = types.get(typeName);
    if (!fields) {
      fields = {};
      types.set(typeName, fields);
    }
    if (field in fields) throw new Error(`createResolverBuilder: ${typeName}.${field} is defined twice`);
    fields[field] = value;
  };

  const rootField = (resolver: OperationResolver<TCtx>, options?: OperationOptions): GraphQLFieldResolver<unknown, TCtx> => {
    const validation = options?.validation;
    return async (_parent, args: Record<string, unknown>, ctx, info) => {
      if (validation) await validation.enforce({ args, ctx });
      return resolver(args, ctx, info);
    };
  };

  const builder: ResolverBuilder<TCtx> = {
    addQuery(name, resolver, options) {
      setField('Query', name, rootField(resolver, options));
      return builder;
    },
    addMutation(name, resolver, options) {
      setField('Mutation', name, rootField(resolver, options));
      return builder;
    },
    addType(typeName, fields) {
      for (const [field, resolver] of Object.entries(fields)) setField(typeName, field, resolver);
      return builder;
    },
    addEntity(typeName, resolveReference) {
      setField(typeName, '__resolveReference', resolveReference);
      return builder;
    },
    addService(source) {
      const map = 'resolvers' in source && isPlainObject(source['resolvers']) ? (source.resolvers as SubgraphResolvers<TCtx>) : (source as SubgraphResolvers<TCtx>);
      for (const [typeName, entry] of Object.entries(map)) {
        if (isPlainObject(entry) && !('serialize' in entry)) {
          for (const [field, value] of Object.entries(entry)) setField(typeName, field, value);
        } else {
          // Scalars and enum maps are whole values, not field maps.
          if (others.has(typeName)) throw new Error(`createResolverBuilder: ${typeName} is defined twice`);
          others.set(typeName, entry);
        }
      }
      return builder;
    },
    build() {
      const result: Record<string, unknown> = {};
      for (const [typeName, fields] of types) result[typeName] = { ...fields };
      for (const [typeName, value] of others) result[typeName] = value;
      return result as SubgraphResolvers<TCtx>;
    },
  };
  return builder;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
