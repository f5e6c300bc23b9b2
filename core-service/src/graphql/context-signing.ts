import { createHmac, timingSafeEqual } from 'node:crypto';
import { type } from 'arktype';

/**
 * The gateway verifies the caller's access token once and forwards who the caller is to the
 * subgraphs in these two headers. A subgraph trusts nothing else: it recomputes the HMAC over
 * the exact header value with the shared `INTERNAL_CONTEXT_SECRET` and rejects the request
 * when it differs or when the context is older than the replay window. Both sides use this
 * file, so the encoding cannot drift.
 *
 * Why an HMAC over a base64url JSON header rather than forwarding the user's JWT: subgraphs
 * then need neither the token keys nor the revoked-session list, and anonymous callers get a
 * signed context too, so "no header" always means "not from the gateway".
 */
export const USER_CONTEXT_HEADER = 'x-user-context';
export const USER_CONTEXT_SIGNATURE_HEADER = 'x-user-context-signature';

/** Claims the gateway forwards. `sub` absent means an anonymous caller. */
export interface UserContextClaims {
  /** User id. */
  sub?: string;
  /** Tenant id. */
  tid?: string;
  roles: string[];
  permissions: string[];
  /** Session id. */
  sid?: string;
  /**
   * The client's address as the gateway determined it (X-Forwarded-For believed only from the
   * proxies `TRUST_PROXY` names). Signed: a subgraph must never take it from a header.
   */
  ip?: string;
  correlationId: string;
  /** Signing time, seconds since the epoch. */
  iat: number;
}

export type UserContextInput = Omit<UserContextClaims, 'iat' | 'roles' | 'permissions'> & {
  roles?: string[];
  permissions?: string[];
  iat?: number;
};

// A type literal, not an interface, so it spreads into any `Record<string, string>` of headers.
export type SignedUserContextHeaders = {
  [USER_CONTEXT_HEADER]: string;
  [USER_CONTEXT_SIGNATURE_HEADER]: string;
};

export type UserContextRejection = 'missing' | 'malformed' | 'bad-signature' | 'expired';

export type UserContextVerification = { ok: true; claims: UserContextClaims } | { ok: false; reason: UserContextRejection };

export interface VerifyUserContextOptions {
  /** How old a signed context may be; bounds how long a captured one can be replayed. Default 60 s. */
  maxAgeSeconds?: number;
  /** Tolerated clock difference between gateway and subgraph hosts. Default 5 s. */
  clockSkewSeconds?: number;
  /** Current time in ms, for tests. */
  now?: number;
}

export const MIN_CONTEXT_SECRET_LENGTH = 32;
// Real contexts are a few hundred bytes; refusing big ones before hashing caps the work an
// unauthenticated caller can cause.
const MAX_HEADER_LENGTH = 8192;

const claimsSchema = type({
  'sub?': 'string > 0',
  'tid?': 'string > 0',
  roles: 'string[]',
  permissions: 'string[]',
  'sid?': 'string > 0',
  'ip?': 'string > 0',
  correlationId: 'string > 0',
  iat: 'number.integer >= 0',
});

/** Signs claims for forwarding; returns the two headers to set on the subgraph request. */
export function signUserContext(input: UserContextInput, secret: string, now: number = Date.now()): SignedUserContextHeaders {
  assertSecret(secret);
  const claims: UserContextClaims = {
    ...input,
    roles: input.roles ?? [],
    permissions: input.permissions ?? [],
    iat: input.iat ?? Math.floor(now / 1000),
  };
  const value = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return {
    [USER_CONTEXT_HEADER]: value,
    [USER_CONTEXT_SIGNATURE_HEADER]: hmac(secret, value).toString('base64url'),
  };
}

/**
 * Checks the two headers. `secret` may be a list during a rotation: the new secret first, the
 * old one until every gateway signs with the new.
 */
export function verifyUserContext(headerValue: string | undefined, signature: string | undefined, secret: string | readonly string[], options: VerifyUserContextOptions = {}): UserContextVerification {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new Error('verifyUserContext: no secret configured');
  secrets.forEach(assertSecret);
  if (!headerValue || !signature) return { ok: false, reason: 'missing' };
  if (headerValue.length > MAX_HEADER_LENGTH || signature.length > 128) return { ok: false, reason: 'malformed' };

  const provided = Buffer.from(signature, 'base64url');
  // Signature first, parsing after: unsigned input never reaches JSON.parse.
  const signedByUs = secrets.some((candidate) => {
    const expected = hmac(candidate, headerValue);
    // timingSafeEqual throws on a length mismatch; the length of a digest is no secret.
    return provided.length === expected.length && timingSafeEqual(provided, expected);
  });
  if (!signedByUs) return { ok: false, reason: 'bad-signature' };

  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(headerValue, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const claims = claimsSchema(parsed);
  if (claims instanceof type.errors) return { ok: false, reason: 'malformed' };

  const nowSeconds = (options.now ?? Date.now()) / 1000;
  const maxAge = options.maxAgeSeconds ?? 60;
  const skew = options.clockSkewSeconds ?? 5;
  if (claims.iat > nowSeconds + skew || nowSeconds - claims.iat > maxAge + skew) {
    return { ok: false, reason: 'expired' };
  }
  return { ok: true, claims };
}

function hmac(secret: string, value: string): Buffer {
  return createHmac('sha256', secret).update(value, 'utf8').digest();
}

function assertSecret(secret: string): void {
  // Never echo the secret, not even its prefix.
  if (typeof secret !== 'string' || secret.length < MIN_CONTEXT_SECRET_LENGTH) {
    throw new Error(`INTERNAL_CONTEXT_SECRET must be at least ${MIN_CONTEXT_SECRET_LENGTH} characters`);
  }
}

/**
 * The context secrets a subgraph accepts, from the environment: `INTERNAL_CONTEXT_SECRET` (what
 * the gateway signs with) first, then `INTERNAL_CONTEXT_PREVIOUS_SECRETS` (comma-separated), so a
 * rotation is: add the new secret to every subgraph's list, move the gateways to it, then drop
 * the old one. Undefined when the current secret is not set.
 */
export function contextSecretsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string[] | undefined {
  const current = env['INTERNAL_CONTEXT_SECRET'];
  if (current === undefined || current === '') return undefined;
  const previous = (env['INTERNAL_CONTEXT_PREVIOUS_SECRETS'] ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  return [current, ...previous];
}
