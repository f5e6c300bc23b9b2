import { signUserContext } from '../graphql/context-signing.js';
import { ANONYMOUS_CALLER } from './gateway-plugin.js';
import type { GatewayPlugin } from './gateway-plugin.js';

export interface UseContextSigningConfig {
  /** INTERNAL_CONTEXT_SECRET; subgraphs accept only requests signed with it. */
  secret: string;
}

/**
 * Signs who the caller is onto every subgraph request (anonymous callers and the gateway's own
 * schema introspection included), so a request without a valid signature is never from us.
 */
export function useContextSigning(config: UseContextSigningConfig): GatewayPlugin {
  // Fails at start-up, not on the first request, when the secret is too weak.
  signUserContext({ correlationId: 'startup-check' }, config.secret);
  return {
    name: 'context-signing',
    onSubgraphRequest({ context, setHeader }) {
      const caller = context?.caller ?? ANONYMOUS_CALLER;
      const correlationId = context?.correlationId ?? 'gateway-internal';
      const headers = signUserContext(
        {
          ...(caller.userId !== undefined ? { sub: caller.userId } : {}),
          ...(caller.tenantId !== undefined ? { tid: caller.tenantId } : {}),
          ...(caller.sessionId !== undefined ? { sid: caller.sessionId } : {}),
          ...(context?.ip ? { ip: context.ip } : {}),
          roles: caller.roles,
          permissions: caller.permissions,
          correlationId,
        },
        config.secret,
      );
      for (const [name, value] of Object.entries(headers)) setHeader(name, value);
      setHeader('x-correlation-id', correlationId);
    },
  };
}
