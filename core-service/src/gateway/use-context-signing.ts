import { signUserContext } from '../graphql/context-signing.js';
import { ANONYMOUS_CALLER } from './gateway-plugin.js';
import type { GatewayContext, GatewayPlugin } from './gateway-plugin.js';

/**
 * A request's signed context is reused for its later subgraph calls (a federated query makes
 * several) while it is this young: far inside the 60 s a subgraph accepts, so a long plan's last
 * call is still signed recently enough.
 */
const REUSE_SIGNATURE_MS = 10_000;

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
  // Keyed by the context, checked against its caller and correlation id: a socket's context lives
  // on and gets a new caller when the client re-authenticates.
  const signed = new WeakMap<GatewayContext, { headers: Record<string, string>; at: number; caller: unknown; correlationId: string }>();
  return {
    name: 'context-signing',
    onSubgraphRequest({ context, setHeader }) {
      const correlationId = context?.correlationId ?? 'gateway-internal';
      const now = Date.now();
      let reused = context ? signed.get(context) : undefined;
      if (reused === undefined || now - reused.at > REUSE_SIGNATURE_MS || reused.caller !== context?.caller || reused.correlationId !== correlationId) {
        reused = { headers: sign(context, correlationId, now), at: now, caller: context?.caller, correlationId };
        if (context) signed.set(context, reused);
      }
      for (const name in reused.headers) setHeader(name, reused.headers[name]!);
      setHeader('x-correlation-id', correlationId);
    },
  };

  function sign(context: GatewayContext | undefined, correlationId: string, now: number): Record<string, string> {
    const caller = context?.caller ?? ANONYMOUS_CALLER;
    return signUserContext(
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
      now,
    );
  }
}
