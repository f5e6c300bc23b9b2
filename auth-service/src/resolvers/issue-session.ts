import { randomUUID } from 'node:crypto';
import { effectiveRoleNames, encodeTokenPermissions } from 'core-service/access';
import { signAccessToken, withRedisFallback } from 'core-service';
import type { AuthDeps } from '../deps.js';
import { generateRefreshToken, hashRefreshToken } from '../domain/refresh-token.js';
import type { UserRecord } from '../domain/user.js';
import type { SessionRecord } from '../store/sessions-store.js';
import { toUserView, type UserView } from './user-shape.js';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: UserView;
}

// Revocation markers must outlive every access token of the session, clock skew included.
const SKEW_SECONDS = 60;

export function accessTokenTtl(deps: AuthDeps): number {
  return deps.keys.accessTokenTtlSeconds ?? 900;
}

/** Signs an access token from the tenant's current roles: role edits show in the next token minted. */
export async function mintAccessToken(deps: AuthDeps, user: UserRecord, sessionId: string): Promise<string> {
  const engine = await deps.policies.engineFor(user.tenantId);
  const subject = { id: user.id, tenantId: user.tenantId, roles: user.roles };
  return signAccessToken(
    {
      sub: user.id,
      tid: user.tenantId,
      roles: effectiveRoleNames(engine, subject),
      permissions: encodeTokenPermissions(engine, subject, { grants: user.grants ?? [], denies: user.denies ?? [] }),
      sid: sessionId,
    },
    deps.keys,
    { now: deps.clock.now() },
  );
}

/** Opens a new session (refresh-token family) and returns the first token pair. */
export async function openSession(deps: AuthDeps, user: UserRecord, clientAddress: string | null): Promise<{ payload: AuthPayload; session: SessionRecord }> {
  const now = new Date(deps.clock.now());
  const refreshToken = generateRefreshToken();
  const session: SessionRecord = {
    id: randomUUID(),
    tenantId: user.tenantId,
    userId: user.id,
    tokenHash: hashRefreshToken(refreshToken),
    rotatedHashes: [],
    status: 'active',
    revokedReason: null,
    revokedAt: null,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: new Date(now.getTime() + deps.settings.refreshTokenTtlSeconds * 1000),
    clientAddress,
  };
  await deps.sessions.insert(session);
  const payload = await finishIssue(deps, user, session.id, refreshToken);
  return { payload, session };
}

/** Mints the access token for a session and marks the session active in the shared cache. */
export async function finishIssue(deps: AuthDeps, user: UserRecord, sessionId: string, refreshToken: string): Promise<AuthPayload> {
  const accessToken = await mintAccessToken(deps, user, sessionId);
  const ttl = accessTokenTtl(deps);
  // Skipped while Redis is down: the gateway then finds no entry, which counts as active (and,
  // with Redis down, it does not look at all). MongoDB's session record stays the truth.
  await withRedisFallback(
    deps.redis,
    'session cache write',
    () => deps.sessionCache.markActive(sessionId, ttl + SKEW_SECONDS),
    () => undefined,
  );
  return { accessToken, refreshToken, expiresIn: ttl, user: toUserView(user) };
}

/** Write-through revocation: the gateway refuses these sessions' access tokens from now on. */
export async function markSessionsRevoked(deps: AuthDeps, sessionIds: readonly string[]): Promise<void> {
  // While Redis is down the refresh tokens are revoked (MongoDB) but access tokens already
  // issued stay usable until they expire: the gateway's revocation check fails open then.
  await withRedisFallback(
    deps.redis,
    'session revocation write',
    () => deps.sessionCache.markRevoked(sessionIds, accessTokenTtl(deps) + SKEW_SECONDS),
    () => undefined,
  );
}
