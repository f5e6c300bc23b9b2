import { afterEach, describe, expect, it, vi } from 'vitest';
import { USER_CONTEXT_HEADER, USER_CONTEXT_SIGNATURE_HEADER, verifyUserContext } from '../../src/graphql/context-signing.js';
import { getLogger } from '../../src/logger/logger.js';
import type { Caller, GatewayContext } from '../../src/gateway/gateway-plugin.js';
import { useContextSigning } from '../../src/gateway/use-context-signing.js';

const secret = 'a-context-secret-of-at-least-32-characters';

function contextOf(caller: Caller, correlationId: string): GatewayContext {
  return { caller, correlationId, ip: '10.0.0.1', logger: getLogger('test'), batch: { cost: 0 }, responseHeaders: new Map() };
}
const alice: Caller = { kind: 'user', userId: 'alice', tenantId: 't1', sessionId: 's-a', roles: ['user'], permissions: [] };
const bob: Caller = { kind: 'user', userId: 'bob', tenantId: 't1', sessionId: 's-b', roles: ['user'], permissions: [] };

function send(plugin: ReturnType<typeof useContextSigning>, context: GatewayContext | undefined) {
  const headers: Record<string, string> = {};
  plugin.onSubgraphRequest!({ subgraph: 'payment', context, setHeader: (name, value) => (headers[name] = value) });
  const verified = verifyUserContext(headers[USER_CONTEXT_HEADER], headers[USER_CONTEXT_SIGNATURE_HEADER], secret);
  if (!verified.ok) throw new Error(`not accepted: ${verified.reason}`);
  return { headers, claims: verified.claims };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('context signing', () => {
  it('signs a request once for all its subgraph calls, each accepted by a subgraph', () => {
    const plugin = useContextSigning({ secret });
    const context = contextOf(alice, 'c-1');
    const first = send(plugin, context);
    const second = send(plugin, context);
    expect(second.headers).toEqual(first.headers);
    expect(first.claims).toMatchObject({ sub: 'alice', tid: 't1', sid: 's-a', ip: '10.0.0.1', correlationId: 'c-1' });
    expect(first.headers['x-correlation-id']).toBe('c-1');
  });

  it('never lends one request’s signature to another, nor to a caller that replaced it', () => {
    const plugin = useContextSigning({ secret });
    const context = contextOf(alice, 'c-2');
    expect(send(plugin, context).claims.sub).toBe('alice');
    expect(send(plugin, contextOf(bob, 'c-3')).claims).toMatchObject({ sub: 'bob', correlationId: 'c-3' });
    // A socket's context after the client re-authenticated as someone else.
    context.caller = bob;
    expect(send(plugin, context).claims).toMatchObject({ sub: 'bob', sid: 's-b' });
  });

  it('signs again once the reused signature is 10 s old, well inside what subgraphs accept', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const plugin = useContextSigning({ secret });
    const context = contextOf(alice, 'c-4');
    const first = send(plugin, context);
    vi.setSystemTime(new Date('2026-01-01T00:00:11Z'));
    const later = send(plugin, context);
    expect(later.claims.iat).toBe(first.claims.iat + 11);
  });

  it('signs calls without a request context (schema loading) as anonymous', () => {
    expect(send(useContextSigning({ secret }), undefined).claims).toMatchObject({ roles: [], correlationId: 'gateway-internal' });
  });
});
