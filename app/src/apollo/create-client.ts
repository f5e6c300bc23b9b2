import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { getMainDefinition } from '@apollo/client/utilities';
import { from, switchMap } from 'rxjs';
import type { Session } from '../auth/session.js';
import type { LiveConnection } from '../live/live-connection.js';
import { createLiveLink } from './live-link.js';

/**
 * Queries and mutations over HTTP with the session's current token; subscriptions over the
 * live socket. An UNAUTHENTICATED answer with TOKEN_EXPIRED (a clock that ran ahead of ours)
 * refreshes once and retries the operation; anything else comes back to the caller.
 */
export function createClient(session: Session, live: LiveConnection): ApolloClient {
  const http = new HttpLink({ uri: '/graphql' });
  const auth = new SetContextLink(async (previous) => {
    const token = await session.accessToken();
    return { headers: { ...(previous['headers'] as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) } };
  });
  const retryExpired = new ErrorLink(({ error, operation, forward }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    const expired = error.errors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED' && e.extensions?.['reason'] === 'TOKEN_EXPIRED');
    if (!expired || operation.getContext()['retriedAfterRefresh'] === true || !session.current) return;
    operation.setContext({ retriedAfterRefresh: true });
    return from(session.refreshNow()).pipe(
      switchMap((tokens) => {
        operation.setContext({ headers: { ...(operation.getContext()['headers'] as Record<string, string>), ...(tokens ? { authorization: `Bearer ${tokens.accessToken}` } : {}) } });
        return forward(operation);
      }),
    );
  });
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const definition = getMainDefinition(query);
    return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
  };
  return new ApolloClient({
    link: ApolloLink.split(isSubscription, createLiveLink(live), ApolloLink.from([retryExpired, auth, http])),
    cache: createCache(),
  });
}

/** The cache and its type policies (exported for component tests, which use the same policies). */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      // Every list is a connection read page by page (History, Inbox, admin lists): pages are
      // fetched with fetchMore and appended by the component, keyed by filter arguments.
      Query: {
        fields: {
          transactions: { keyArgs: ['filter'], merge: mergeConnection },
          transfers: { keyArgs: ['filter'], merge: mergeConnection },
          notifications: { keyArgs: ['unreadOnly'], merge: mergeConnection },
          auditLog: { keyArgs: ['filter'], merge: mergeConnection },
          users: { keyArgs: ['filter'], merge: mergeConnection },
          myBonuses: { keyArgs: ['status'], merge: mergeConnection },
        },
      },
      // Entities without a cache identity of their own (ids are not unique across kinds).
      ConfigEntry: { keyFields: ['service', 'key'] },
      Role: { keyFields: ['name'] },
      NotificationPreferences: { keyFields: [] },
      // An instance's id is host:pid, and services started in one process share it: each
      // instance stays inside its service's report rather than merging across services.
      ServiceInstanceHealth: { keyFields: false },
    },
  });
}

interface ConnectionLike {
  edges?: unknown[];
  nodes?: unknown[];
  pageInfo?: unknown;
  [field: string]: unknown;
}

/**
 * Appends a page after the existing ones when it was asked for with `after` (fetchMore), and
 * replaces the list for a first page (a refetch after a live update starts over).
 */
function mergeConnection(existing: ConnectionLike | undefined, incoming: ConnectionLike, { args }: { args: Record<string, unknown> | null }): ConnectionLike {
  if (!existing || !args?.['after']) return incoming;
  return {
    ...incoming,
    edges: [...(existing.edges ?? []), ...(incoming.edges ?? [])],
    nodes: [...(existing.nodes ?? []), ...(incoming.nodes ?? [])],
  };
}
