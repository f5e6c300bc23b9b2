import { execute, getOperationAST, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { CORE_ERRORS } from '../../errors/core-errors.js';
import { createServiceError } from '../../errors/graphql-error.js';
import type { Caller, GatewayContext, GatewayPlugin } from '../gateway-plugin.js';
import type { LiveField, LiveMessage } from './live-event-routing.js';

export interface LiveSubscription {
  field: LiveField;
  document: DocumentNode;
  variables: Record<string, unknown>;
  operationName: string | undefined;
}

/**
 * A subscription document, checked like a query: parsed, validated against the live schema,
 * exactly one root field, run through the same plugins (cost limit, rate limit) and authorized
 * (live updates are per user: anonymous callers get UNAUTHENTICATED).
 */
export async function prepareSubscription(
  schema: GraphQLSchema,
  plugins: readonly GatewayPlugin[],
  context: GatewayContext,
  query: unknown,
  variables: unknown,
  operationName: unknown,
): Promise<LiveSubscription> {
  if (typeof query !== 'string' || query.length === 0) throw badRequest('A subscription needs a query');
  if (context.caller.userId === undefined) throw createServiceError(CORE_ERRORS.Unauthenticated, 'Live updates need an access token');
  const vars = typeof variables === 'object' && variables !== null ? (variables as Record<string, unknown>) : {};
  const name = typeof operationName === 'string' ? operationName : undefined;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: 5000 });
  } catch (error) {
    throw badRequest(error instanceof Error ? error.message : 'Syntax error');
  }
  const errors = validate(schema, document);
  if (errors.length > 0) throw badRequest(errors.map((e) => e.message).join('; '));
  const operation = getOperationAST(document, name);
  if (!operation || operation.operation !== 'subscription') throw badRequest('Only subscription operations are accepted here');
  const fields = operation.selectionSet.selections.filter((s) => s.kind === 'Field');
  if (fields.length !== 1 || operation.selectionSet.selections.length !== 1) throw badRequest('A subscription selects exactly one field');
  const field = fields[0]!.name.value as LiveField;
  for (const plugin of plugins) {
    await plugin.onOperation?.({ context, document, operation, operationName: name, variables: vars, source: query });
  }
  return { field, document, variables: vars, operationName: name };
}

/** The `next` payload of one message for one subscription, or undefined when it is not for it. */
export function shapePayload(schema: GraphQLSchema, subscription: LiveSubscription, message: LiveMessage, caller: Caller): unknown {
  if (message.field !== subscription.field) return undefined;
  // Authorization at delivery as well as at routing: a message reaches a user's listeners only
  // when it names them, and the tenant must be the caller's.
  if (message.tenantId !== caller.tenantId || caller.userId === undefined || !message.userIds.includes(caller.userId)) return undefined;
  const result = execute({
    schema,
    document: subscription.document,
    variableValues: subscription.variables,
    ...(subscription.operationName !== undefined ? { operationName: subscription.operationName } : {}),
    rootValue: { [subscription.field]: message.payload },
  });
  return result;
}

function badRequest(message: string) {
  return createServiceError(CORE_ERRORS.BadUserInput, message);
}
