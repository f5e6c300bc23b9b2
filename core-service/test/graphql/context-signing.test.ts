import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contextSecretsFromEnv, signUserContext, USER_CONTEXT_HEADER, USER_CONTEXT_SIGNATURE_HEADER, verifyUserContext } from '../../src/graphql/index.js';

const SECRET = 'context-signing-secret-0123456789abcdef';
const OLD_SECRET = 'context-signing-old-secret-0123456789ab';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function sign(secret = SECRET, now = NOW) {
  return signUserContext({ sub: 'u-1', tid: 't-1', roles: ['user'], permissions: ['wallet:read:own'], sid: 's-1', correlationId: 'c-1' }, secret, now);
}

function verify(headers: Record<string, string>, secret: string | string[] = SECRET, now = NOW) {
  return verifyUserContext(headers[USER_CONTEXT_HEADER], headers[USER_CONTEXT_SIGNATURE_HEADER], secret, { now });
}

describe('signed user context', () => {
  it('round-trips the claims with the signing time', () => {
    expect(verify(sign())).toEqual({
      ok: true,
      claims: {
        sub: 'u-1',
        tid: 't-1',
        roles: ['user'],
        permissions: ['wallet:read:own'],
        sid: 's-1',
        correlationId: 'c-1',
        iat: NOW / 1000,
      },
    });
  });

  it('is a base64url JSON header anyone can read but nobody can alter', () => {
    const headers = sign();
    const claims = JSON.parse(Buffer.from(headers[USER_CONTEXT_HEADER], 'base64url').toString('utf8'));
    claims.roles = ['admin'];
    const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
    expect(verify({ ...headers, [USER_CONTEXT_HEADER]: forged })).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('tells missing, badly signed, stale and future contexts apart', () => {
    expect(verify({})).toEqual({ ok: false, reason: 'missing' });
    expect(verify(sign(OLD_SECRET))).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(sign(), SECRET, NOW + 66_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verify(sign(), SECRET, NOW + 60_000).ok).toBe(true);
    expect(verify(sign(SECRET, NOW + 60_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('accepts the previous secret during a rotation', () => {
    expect(verify(sign(OLD_SECRET), [SECRET, OLD_SECRET]).ok).toBe(true);
  });

  it('rejects a correctly signed value that is not a claims object as malformed', () => {
    // What a gateway bug would send: signed with the right secret, but missing correlationId/iat.
    const value = Buffer.from(JSON.stringify({ sub: 'u-1', roles: 'admin' })).toString('base64url');
    const signature = createHmac('sha256', SECRET).update(value).digest('base64url');
    expect(verify({ [USER_CONTEXT_HEADER]: value, [USER_CONTEXT_SIGNATURE_HEADER]: signature })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses short secrets without echoing them', () => {
    expect(() => sign('short')).toThrow(/at least 32/);
    expect(() => sign('short')).not.toThrow(/short/);
  });
});

describe('context secrets from the environment', () => {
  it('lists the current secret first, then the previous ones accepted during a rotation', () => {
    expect(contextSecretsFromEnv({})).toBeUndefined();
    expect(contextSecretsFromEnv({ INTERNAL_CONTEXT_SECRET: SECRET })).toEqual([SECRET]);
    expect(contextSecretsFromEnv({ INTERNAL_CONTEXT_SECRET: SECRET, INTERNAL_CONTEXT_PREVIOUS_SECRETS: ` ${OLD_SECRET} ,, ` })).toEqual([SECRET, OLD_SECRET]);
    const secrets = contextSecretsFromEnv({ INTERNAL_CONTEXT_SECRET: SECRET, INTERNAL_CONTEXT_PREVIOUS_SECRETS: OLD_SECRET })!;
    expect(verify(sign(OLD_SECRET), secrets).ok).toBe(true);
  });
});
