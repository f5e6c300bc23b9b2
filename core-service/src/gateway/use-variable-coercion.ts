import type { IncomingMessage } from 'node:http';
import { buildSchema, getVariableValues, GraphQLScalarType, printSchema, type GraphQLError as BaseGraphQLError, type GraphQLSchema } from 'graphql';
import Negotiator from 'negotiator';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError } from '../errors/graphql-error.js';
import { STANDARD_SCALARS } from '../graphql/scalars.js';
import type { GatewayPlugin } from './gateway-plugin.js';

export interface UseVariableCoercionConfig {
  /** The public (API) schema clients are served: variables are coerced against its input types. */
  schema: () => GraphQLSchema | undefined;
  /** Problems reported per request at most. Default 10. */
  maxErrors?: number;
}

/**
 * Coerces an operation's variables against the public schema before anything is planned, the
 * way graphql-js's `execute` would. Apollo Server leaves that to the executor, and with a
 * gateway the executor is the query planner, which sends raw variables to the subgraphs: an
 * amount of `1.5` or `{"$gt": ""}` for a string came back as a subgraph's "400: Bad Request"
 * dressed as INTERNAL_SERVER_ERROR. graphql-js's own `getVariableValues` does the coercion (and
 * the `Amount` scalar's rules with it); this plugin only turns its errors into one
 * BAD_USER_INPUT answer that names each variable and path.
 */
export function useVariableCoercion(config: UseVariableCoercionConfig): GatewayPlugin {
  let servedSchema: GraphQLSchema | undefined;
  let coercionSchema: GraphQLSchema | undefined;
  return {
    name: 'variable-coercion',
    onOperation({ context, operation, variables }) {
      const served = config.schema();
      if (served === undefined) return;
      if (served !== servedSchema) {
        servedSchema = served;
        coercionSchema = withScalarRules(served);
      }
      const schema = coercionSchema!;
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: config.maxErrors ?? 10 });
      if (coerced.errors === undefined) return;
      const problems = coerced.errors.map(describeProblem);
      throw createServiceError(CORE_ERRORS.BadUserInput, coerced.errors.map((error) => error.message).join('; '), {
        variables: problems,
        http: { status: requestErrorStatus(context.req) },
      });
    },
  };
}

/**
 * A private copy of the served schema whose custom scalars parse input as the services do
 * (`Amount`: safe integers only; `DateTime`; `JSON`). A supergraph's scalars are bare names that
 * accept anything, and Apollo's own schema object is not ours to change.
 */
function withScalarRules(served: GraphQLSchema): GraphQLSchema {
  const copy = buildSchema(printSchema(served), { assumeValidSDL: true });
  for (const [name, implementation] of Object.entries(STANDARD_SCALARS)) {
    const type = copy.getType(name);
    if (!(type instanceof GraphQLScalarType)) continue;
    type.parseValue = implementation.parseValue.bind(implementation);
    type.parseLiteral = implementation.parseLiteral.bind(implementation);
  }
  return copy;
}

/** `{ variable, path, message }` from graphql-js's message (it carries the path only in text). */
function describeProblem(error: BaseGraphQLError): { variable: string | null; path: string | null; message: string } {
  const match = /^Variable "\$([^"]+)" got invalid value .*?(?: at "([^"]+)")?;/.exec(error.message) ?? /^Variable "\$([^"]+)"/.exec(error.message);
  return { variable: match?.[1] ?? null, path: match?.[2] ?? match?.[1] ?? null, message: error.message };
}

/**
 * The status GraphQL over HTTP gives a request error (no `data`): 400 when the response is
 * `application/graphql-response+json`; 200 for `application/json`, whose clients read errors
 * from the body. The media type is chosen as Apollo Server chooses it for the response.
 */
export function requestErrorStatus(req: IncomingMessage | undefined): number {
  const accept = req?.headers.accept;
  if (accept === undefined || accept === '') return 200;
  const preferred = new Negotiator({ headers: { accept } }).mediaType(['application/json', 'application/graphql-response+json']);
  return preferred === 'application/graphql-response+json' ? 400 : 200;
}
