import { describe, expect, it } from 'vitest';
import { AccessTokenError, signAccessToken, verifyAccessToken } from 'core-service';
import { KEYS, startAuth, uniqueEmail } from './support/harness.js';

function reason(token: string, now: number): string | undefined {
  try {
    verifyAccessToken(token, KEYS, { now });
    return undefined;
  } catch (error) {
    return error instanceof AccessTokenError ? error.reason : 'other';
  }
}

describe('issued access tokens', () => {
  it('are rejected when tampered with, unsigned, signed with another key or expired', async () => {
    const auth = await startAuth();
    const { accessToken } = await auth.register(uniqueEmail());
    const now = auth.clock.now();
    expect(reason(accessToken, now)).toBeUndefined();

    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const escalated = Buffer.from(JSON.stringify({ ...claims, roles: ['system'], permissions: ['*:*:*'] })).toString('base64url');
    expect(reason(`${header}.${escalated}.${signature}`, now)).toBe('TOKEN_INVALID');

    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(reason(`${none}.${payload}.`, now)).toBe('TOKEN_INVALID');

    const foreign = signAccessToken(claims, { algorithm: 'HS256', secret: 'somebody-elses-secret-0123456789abcdef', issuer: 'auth-service', audience: 'payment-platform' }, { now });
    expect(reason(foreign, now)).toBe('TOKEN_INVALID');

    expect(reason(accessToken, now + 15 * 60_000 + 10_000)).toBe('TOKEN_EXPIRED');
  });
});
