import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { AccessTokenError, accessTokenKeysFromConfig, loadAccessTokenKeys, signAccessToken, verifyAccessToken, type AccessTokenKeys } from '../../src/auth/index.js';

const SECRET = 'a-test-secret-that-is-long-enough-000';
const keys: AccessTokenKeys = { algorithm: 'HS256', secret: SECRET, issuer: 'auth-service', audience: 'payment-platform' };
const claims = { sub: 'u1', tid: 't1', roles: ['user'], permissions: ['wallet:read:own'], sid: 's1' };
const NOW = Date.UTC(2026, 0, 1);

function rejection(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AccessTokenError);
    expect((error as AccessTokenError).extensions['code']).toBe('UNAUTHENTICATED');
    return (error as AccessTokenError).reason;
  }
  return undefined;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function rsaKeys(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

describe('access tokens (HS256)', () => {
  it('round-trips the claims with iat, exp (15 min), iss and aud', () => {
    const token = signAccessToken(claims, keys, { now: NOW });
    const verified = verifyAccessToken(token, keys, { now: NOW + 1000 });
    expect(verified).toMatchObject({ ...claims, iss: 'auth-service', aud: 'payment-platform' });
    expect(verified.exp - verified.iat).toBe(900);
  });

  it('rejects a token whose payload was changed after signing', () => {
    const [header, , signature] = signAccessToken(claims, keys, { now: NOW }).split('.');
    const forged = `${header}.${b64({ ...claims, roles: ['admin'], permissions: ['*:*:*'], iat: NOW / 1000, exp: NOW / 1000 + 900, iss: 'auth-service', aud: 'payment-platform' })}.${signature}`;
    expect(rejection(() => verifyAccessToken(forged, keys, { now: NOW }))).toBe('TOKEN_INVALID');
  });

  it('rejects alg "none" tokens, with or without a signature part', () => {
    const payload = b64({ ...claims, iat: NOW / 1000, exp: NOW / 1000 + 900, iss: 'auth-service', aud: 'payment-platform' });
    for (const token of [`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, `${b64({ alg: 'none' })}.${payload}`]) {
      expect(rejection(() => verifyAccessToken(token, keys, { now: NOW }))).toBe('TOKEN_INVALID');
    }
  });

  it('rejects a token signed with another key', () => {
    const token = signAccessToken(claims, { ...keys, secret: 'another-secret-that-is-long-enough-111' }, { now: NOW });
    expect(rejection(() => verifyAccessToken(token, keys, { now: NOW }))).toBe('TOKEN_INVALID');
  });

  it('tells an expired token apart from an invalid one', () => {
    const token = signAccessToken(claims, keys, { now: NOW });
    expect(rejection(() => verifyAccessToken(token, keys, { now: NOW + 899_000 }))).toBeUndefined();
    expect(rejection(() => verifyAccessToken(token, keys, { now: NOW + 906_000 }))).toBe('TOKEN_EXPIRED');
    expect(rejection(() => verifyAccessToken(token, keys, { now: NOW + 906_000, clockToleranceSeconds: 0 }))).toBe('TOKEN_EXPIRED');
  });

  it('rejects a token that is not valid yet (nbf)', () => {
    const iat = NOW / 1000;
    const token = jwt.sign({ ...claims, iat, exp: iat + 900, nbf: iat + 600, iss: 'auth-service', aud: 'payment-platform' }, SECRET, { algorithm: 'HS256' });
    expect(rejection(() => verifyAccessToken(token, keys, { now: NOW }))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('rejects another issuer or audience, a missing exp, and missing claims', () => {
    const iat = NOW / 1000;
    const base = { ...claims, iat, exp: iat + 900, iss: 'auth-service', aud: 'payment-platform' };
    const sign = (payload: object) => jwt.sign(payload, SECRET, { algorithm: 'HS256', noTimestamp: true });
    const { exp: _exp, ...noExp } = base;
    const { tid: _tid, ...noTenant } = base;
    for (const token of [sign({ ...base, iss: 'evil' }), sign({ ...base, aud: 'other-platform' }), sign(noExp), sign(noTenant), 'not.a.token', '']) {
      expect(rejection(() => verifyAccessToken(token, keys, { now: NOW }))).toBe('TOKEN_INVALID');
    }
  });

  it('accepts tokens of a previous secret during a rotation, and signs only with the current one', () => {
    const old = signAccessToken(claims, keys, { now: NOW });
    const rotated: AccessTokenKeys = { ...keys, secret: 'the-new-secret-that-is-long-enough-2222', previousSecrets: [SECRET] };
    expect(verifyAccessToken(old, rotated, { now: NOW }).sub).toBe('u1');
    const fresh = signAccessToken(claims, rotated, { now: NOW });
    expect(rejection(() => verifyAccessToken(fresh, keys, { now: NOW }))).toBe('TOKEN_INVALID');
  });

  it('refuses secrets shorter than 32 characters', () => {
    expect(() => accessTokenKeysFromConfig({ algorithm: 'HS256', secret: 'short', issuer: 'i', audience: 'a', accessTokenTtlSeconds: 900 })).toThrow(/32/);
  });

  it('loads keys through the config store path, JWT_SECRET overriding, and never puts the secret in errors', async () => {
    const loaded = await loadAccessTokenKeys({ env: { JWT_SECRET: SECRET } });
    expect(loaded).toMatchObject({ algorithm: 'HS256', secret: SECRET, accessTokenTtlSeconds: 900 });
    await expect(loadAccessTokenKeys({ env: { JWT_SECRET: 'tiny-secret' } })).rejects.toThrow(/^(?!.*tiny-secret)/);
  });
});

describe('access tokens (RS256 with kid)', () => {
  const first = rsaKeys();
  const second = rsaKeys();
  const signing: AccessTokenKeys = {
    algorithm: 'RS256',
    signingKey: { kid: 'k1', privateKey: first.privateKey },
    publicKeys: { k1: first.publicKey },
    issuer: 'auth-service',
    audience: 'payment-platform',
  };

  it('verifies with the public key named by kid, also after the signing key rotated', () => {
    const token = signAccessToken(claims, signing, { now: NOW });
    expect(jwt.decode(token, { complete: true })?.header.kid).toBe('k1');
    const rotated: AccessTokenKeys = {
      ...signing,
      signingKey: { kid: 'k2', privateKey: second.privateKey },
      publicKeys: { k1: first.publicKey, k2: second.publicKey },
    };
    expect(verifyAccessToken(token, rotated, { now: NOW }).sid).toBe('s1');
    expect(verifyAccessToken(signAccessToken(claims, rotated, { now: NOW }), rotated, { now: NOW }).sid).toBe('s1');
  });

  it('rejects an unknown or missing kid, and a kid naming an object property', () => {
    const verifyOnly: AccessTokenKeys = { ...signing, signingKey: undefined, publicKeys: { k1: first.publicKey } };
    const payload = { ...claims, iat: NOW / 1000, exp: NOW / 1000 + 900, iss: 'auth-service', aud: 'payment-platform' };
    for (const kid of ['k9', '__proto__', 'toString', undefined]) {
      const token = jwt.sign(payload, first.privateKey, { algorithm: 'RS256', noTimestamp: true, ...(kid ? { keyid: kid } : {}) });
      expect(rejection(() => verifyAccessToken(token, verifyOnly, { now: NOW }))).toBe('TOKEN_INVALID');
    }
  });

  it('rejects algorithm confusion: an HS256 token keyed with the RSA public key', () => {
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    const payload = b64({ ...claims, iat: NOW / 1000, exp: NOW / 1000 + 900, iss: 'auth-service', aud: 'payment-platform' });
    const signature = createHmac('sha256', first.publicKey).update(`${header}.${payload}`).digest('base64url');
    expect(rejection(() => verifyAccessToken(`${header}.${payload}.${signature}`, signing, { now: NOW }))).toBe('TOKEN_INVALID');
  });

  it('rejects a token signed by a key that is not listed', () => {
    const token = signAccessToken(claims, { ...signing, signingKey: { kid: 'k1', privateKey: second.privateKey } }, { now: NOW });
    expect(rejection(() => verifyAccessToken(token, signing, { now: NOW }))).toBe('TOKEN_INVALID');
  });
});
