import type { Logger } from '../logger/logger.js';
import type { UserContextClaims } from './context-signing.js';

/** The caller as the gateway vouched for it. */
export interface SubgraphUser {
  id: string;
  tenantId: string | null;
  roles: string[];
  permissions: string[];
  sessionId: string | null;
}

/** What every resolver receives, before the service's own `context()` additions. */
export interface SubgraphContext {
  /** Null for anonymous callers (a signed context without `sub`). */
  user: SubgraphUser | null;
  tenantId: string | null;
  correlationId: string;
  /** The client's address, as the gateway signed it; null when it sent none. */
  clientAddress: string | null;
  /** Logger for this service; every line carries the request's correlation id. */
  logger: Logger;
  serviceName: string;
  /** The verified claims as forwarded, for code that needs `iat` or custom handling. */
  claims: UserContextClaims;
}

export function userFromClaims(claims: UserContextClaims): SubgraphUser | null {
  if (claims.sub === undefined) return null;
  return {
    id: claims.sub,
    tenantId: claims.tid ?? null,
    roles: [...claims.roles],
    permissions: [...claims.permissions],
    sessionId: claims.sid ?? null,
  };
}
