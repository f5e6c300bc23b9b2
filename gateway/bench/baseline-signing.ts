import { signUserContext, type SignedUserContextHeaders } from 'core-service';

/**
 * The least a gateway must do for our subgraphs to answer it at all: sign who the caller is
 * (x-user-context + its HMAC), as `useContextSigning` does. The reference gateways of the bench
 * get only this. The claims are read from the bearer token WITHOUT verifying it: the baselines
 * are not auth gateways, and the bench sends all three gateways the same, valid token; our
 * gateway's verification, revocation check, cost limit and rate limit are what is measured
 * against them.
 */
export function baselineSubgraphHeaders(authorization: string | null | undefined, secret: string): SignedUserContextHeaders {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (token === undefined) return signUserContext({ correlationId: 'bench-baseline' }, secret);
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string; tid: string; sid: string; roles: string[]; permissions: string[] };
  return signUserContext({ sub: claims.sub, tid: claims.tid, sid: claims.sid, roles: claims.roles, permissions: claims.permissions, correlationId: 'bench-baseline' }, secret);
}

/** The bench's child gateways: SIGTERM exits normally, so `--cpu-prof` writes its profile. */
export function exitOnSignal(close: () => Promise<void> | void): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void Promise.resolve(close()).finally(() => process.exit(0));
    });
  }
}
