import { type } from 'arktype';
import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN_REJECTIONS, AccessTokenError } from './access-token-error.js';
import { DEFAULT_ACCESS_TOKEN_TTL_SECONDS, type AccessTokenKeys } from './access-token-keys.js';

/** What an access token says. `permissions` are compiled URNs (see core-service/access). */
export interface AccessTokenClaims {
  /** User id. */
  sub: string;
  /** Tenant id. */
  tid: string;
  /** Roles held everywhere, inherited ones included. */
  roles: string[];
  /** Allowed URNs, and denied ones prefixed with `!`. */
  permissions: string[];
  /** Session id: the refresh-token family this token was issued from. */
  sid: string;
  iat: number;
  exp: number;
  nbf?: number;
  iss: string;
  aud: string;
}

export type AccessTokenInput = Omit<AccessTokenClaims, 'iat' | 'exp' | 'iss' | 'aud' | 'nbf'>;

export interface SignAccessTokenOptions {
  /** Current time in ms (tests, clocks injected into the domain). */
  now?: number;
  /** Overrides the keys' lifetime. */
  ttlSeconds?: number;
}

export interface VerifyAccessTokenOptions {
  now?: number;
  /** Tolerated clock difference between issuer and verifier hosts. Default 5 s. */
  clockToleranceSeconds?: number;
}

// Real tokens carry a few dozen URNs; a cap keeps an anonymous caller from making us parse megabytes.
const MAX_TOKEN_LENGTH = 16 * 1024;

const claimsSchema = type({
  sub: 'string > 0',
  tid: 'string > 0',
  roles: 'string[]',
  permissions: 'string[]',
  sid: 'string > 0',
  iat: 'number.integer >= 0',
  exp: 'number.integer > 0',
  'nbf?': 'number.integer >= 0',
  iss: 'string > 0',
  aud: 'string > 0',
});

/** Signs an access token with the keys' pinned algorithm (RS256 tokens carry the signing `kid`). */
export function signAccessToken(claims: AccessTokenInput, keys: AccessTokenKeys, options: SignAccessTokenOptions = {}): string {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const ttl = options.ttlSeconds ?? keys.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
  const payload = {
    sub: claims.sub,
    tid: claims.tid,
    roles: [...claims.roles],
    permissions: [...claims.permissions],
    sid: claims.sid,
    iat,
    exp: iat + ttl,
    iss: keys.issuer,
    aud: keys.audience,
  };
  // `iat` is in the payload, so jsonwebtoken keeps it rather than stamping its own clock.
  if (keys.algorithm === 'HS256') return jwt.sign(payload, keys.secret, { algorithm: 'HS256' });
  if (keys.signingKey === undefined) throw new Error('signAccessToken: these RS256 keys have no signing key');
  return jwt.sign(payload, keys.signingKey.privateKey, { algorithm: 'RS256', keyid: keys.signingKey.kid });
}

/**
 * Verifies signature, algorithm, `exp`/`nbf`, `iss`, `aud` and the claim shape. Throws
 * `AccessTokenError` (`UNAUTHENTICATED`, `extensions.reason` TOKEN_EXPIRED / TOKEN_NOT_YET_VALID /
 * TOKEN_INVALID); never returns claims it did not check.
 */
export function verifyAccessToken(token: string, keys: AccessTokenKeys, options: VerifyAccessTokenOptions = {}): AccessTokenClaims {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) invalid();
  const decoded = jwt.decode(token, { complete: true });
  if (decoded === null || typeof decoded.payload === 'string') invalid();
  // jsonwebtoken would also refuse it through `algorithms`; checking the header first means a
  // token naming another algorithm never reaches any key, whatever the library does with it.
  if (decoded.header.alg !== keys.algorithm) invalid();

  const candidates = verificationKeys(keys, decoded.header.kid);
  if (candidates.length === 0) invalid();
  const verifyOptions: jwt.VerifyOptions & { complete?: false } = {
    algorithms: [keys.algorithm],
    issuer: keys.issuer,
    audience: keys.audience,
    clockTimestamp: Math.floor((options.now ?? Date.now()) / 1000),
    clockTolerance: options.clockToleranceSeconds ?? 5,
  };

  let payload: unknown;
  for (let i = 0; i < candidates.length; i++) {
    try {
      payload = jwt.verify(token, candidates[i] as string, verifyOptions);
      break;
    } catch (error) {
      // The library checks the signature before the times, so "expired" means it was ours.
      if (error instanceof jwt.TokenExpiredError) throw new AccessTokenError(ACCESS_TOKEN_REJECTIONS.Expired, error);
      if (error instanceof jwt.NotBeforeError) throw new AccessTokenError(ACCESS_TOKEN_REJECTIONS.NotYetValid, error);
      // A wrong signature may just be a previous secret's token during a rotation: try the next.
      const isSignatureError = error instanceof jwt.JsonWebTokenError && error.message === 'invalid signature';
      if (!isSignatureError || i === candidates.length - 1) throw new AccessTokenError(ACCESS_TOKEN_REJECTIONS.Invalid, error);
    }
  }
  const claims = claimsSchema(payload);
  // jsonwebtoken accepts tokens without `exp`; an access token without one would never expire.
  if (claims instanceof type.errors) invalid();
  return claims;
}

function verificationKeys(keys: AccessTokenKeys, kid: string | undefined): string[] {
  if (keys.algorithm === 'HS256') return [keys.secret, ...(keys.previousSecrets ?? [])];
  if (typeof kid !== 'string') return [];
  // Own-property lookup only: a kid of "__proto__" or "toString" must not find anything.
  return Object.hasOwn(keys.publicKeys, kid) ? [keys.publicKeys[kid] as string] : [];
}

function invalid(): never {
  throw new AccessTokenError(ACCESS_TOKEN_REJECTIONS.Invalid);
}
