import { describe, expect, it } from 'vitest';
import { verifyAccessToken } from 'core-service';
import { decodeClaims, errorCode, eventually, KEYS, startAuth, uniqueEmail, AUTH_FIELDS } from './support/harness.js';

const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const LOGOUT = `mutation($t: String!) { logout(refreshToken: $t) }`;

describe('register and login', () => {
  it('registers a user with the user role and returns a verifiable 15-minute access token', async () => {
    const auth = await startAuth();
    const result = await auth.register(uniqueEmail('ana'));
    expect(result.user).toMatchObject({ tenantId: auth.tenantId, roles: ['user'], status: 'ACTIVE' });
    expect(result.expiresIn).toBe(900);
    const claims = verifyAccessToken(result.accessToken, KEYS, { now: auth.clock.now() });
    expect(claims).toMatchObject({ sub: result.user.id, tid: auth.tenantId, roles: ['user'] });
    expect(claims.permissions).toContain('wallet:read:own');
    expect(claims.exp - claims.iat).toBe(900);
    const registered = await eventually(async () => (await auth.events('user.registered')).find((e) => e.userId === result.user.id));
    expect(registered.tenantId).toBe(auth.tenantId);
  });

  it('keeps emails unique per tenant, ignoring case, but allows the same email in another tenant', async () => {
    const auth = await startAuth();
    const email = uniqueEmail('Mixed.Case');
    await auth.register(email);
    const again = await auth.gql(`mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { email: email.toUpperCase(), password: 'another long password', tenantId: auth.tenantId },
    });
    expect(errorCode(again)).toBe('MSAuthEmailTaken');
    await auth.createTenant(`${auth.tenantId}-b`);
    const other = await auth.register(email, { tenantId: `${auth.tenantId}-b` });
    expect(other.user.tenantId).toBe(`${auth.tenantId}-b`);
  });

  it('refuses weak passwords with the reasons', async () => {
    const auth = await startAuth();
    for (const [password, problem] of [
      ['short', 'too_short'],
      ['password123', 'too_common'],
    ] as const) {
      const res = await auth.gql(`mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
        input: { email: uniqueEmail(), password, tenantId: auth.tenantId },
      });
      expect(errorCode(res)).toBe('MSAuthWeakPassword');
      expect(res.errors?.[0]?.extensions?.['problems']).toContain(problem);
    }
  });

  it('gives the same error for an unknown email and a wrong password, and audits both', async () => {
    const auth = await startAuth();
    const email = uniqueEmail();
    const { user } = await auth.register(email);
    const wrong = await auth.login(email, { password: 'not the password at all' });
    const unknown = await auth.login(uniqueEmail('nobody'));
    expect(errorCode(wrong)).toBe('MSAuthInvalidCredentials');
    expect(errorCode(unknown)).toBe('MSAuthInvalidCredentials');
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
    const ok = await auth.login(email.toUpperCase());
    expect(ok.data?.login.user.id).toBe(user.id);
    const failures = await eventually(async () => {
      const list = await auth.events('user.login_failed');
      return list.length >= 2 ? list : undefined;
    });
    expect(failures.map((e) => e.data.reason)).toEqual(['bad_credentials', 'bad_credentials']);
    expect(JSON.stringify(failures)).not.toContain('not the password at all');
    await eventually(async () => (await auth.events('user.logged_in')).find((e) => e.userId === user.id));
  });

  it('refuses registration into a tenant that does not exist', async () => {
    const auth = await startAuth();
    await expect(auth.register(uniqueEmail(), { tenantId: 'no-such-tenant' })).rejects.toThrow(/MSAuthTenantNotFound/);
  });
});

describe('refresh tokens', () => {
  it('rotates the refresh token on every use and keeps the session id', async () => {
    const auth = await startAuth();
    const first = await auth.register(uniqueEmail());
    const second = (await auth.gql(REFRESH, { t: first.refreshToken })).data!.refreshToken;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(decodeClaims(second.accessToken).sid).toBe(decodeClaims(first.accessToken).sid);
    const third = (await auth.gql(REFRESH, { t: second.refreshToken })).data!.refreshToken;
    expect(third.user.id).toBe(first.user.id);
    const stored = await auth.service.deps.sessions.collection.findOne({ id: decodeClaims(first.accessToken).sid });
    expect(stored?.tokenHash).not.toContain(third.refreshToken);
    expect(JSON.stringify(stored)).not.toContain(first.refreshToken);
  });

  it('a reused refresh token revokes the whole session family', async () => {
    const auth = await startAuth();
    const first = await auth.register(uniqueEmail());
    const sid = decodeClaims(first.accessToken).sid;
    const second = (await auth.gql(REFRESH, { t: first.refreshToken })).data!.refreshToken;
    // The first token is presented again (e.g. stolen): the family dies, the live token too.
    expect(errorCode(await auth.gql(REFRESH, { t: first.refreshToken }))).toBe('MSAuthRefreshTokenReused');
    expect(errorCode(await auth.gql(REFRESH, { t: second.refreshToken }))).toBe('MSAuthSessionRevoked');
    expect(await auth.service.deps.sessionCache.isSessionRevoked(sid)).toBe(true);
    // Other sessions of the same user are untouched.
    const other = await auth.login(first.user.email);
    expect((await auth.gql(REFRESH, { t: other.data!.login.refreshToken })).data?.refreshToken).toBeTruthy();
  });

  it('of two concurrent refreshes with one token, one wins and the family is revoked', async () => {
    const auth = await startAuth();
    const first = await auth.register(uniqueEmail());
    const results = await Promise.all([auth.gql(REFRESH, { t: first.refreshToken }), auth.gql(REFRESH, { t: first.refreshToken })]);
    const codes = results.map(errorCode);
    expect(codes.filter((c) => c === undefined)).toHaveLength(1);
    expect(codes).toContain('MSAuthRefreshTokenReused');
    expect(await auth.service.deps.sessionCache.isSessionRevoked(decodeClaims(first.accessToken).sid)).toBe(true);
  });

  it('logout revokes the session at once, in the shared cache the gateway reads', async () => {
    const auth = await startAuth();
    const first = await auth.register(uniqueEmail());
    const sid = decodeClaims(first.accessToken).sid;
    expect(await auth.service.deps.sessionCache.getState(sid)).toBe('active');
    expect((await auth.gql(LOGOUT, { t: first.refreshToken })).data?.logout).toBe(true);
    expect(await auth.service.deps.sessionCache.isSessionRevoked(sid)).toBe(true);
    expect(errorCode(await auth.gql(REFRESH, { t: first.refreshToken }))).toBe('MSAuthSessionRevoked');
    expect((await auth.gql(LOGOUT, { t: first.refreshToken })).data?.logout).toBe(false);
  });

  it('rejects unknown and malformed refresh tokens', async () => {
    const auth = await startAuth();
    expect(errorCode(await auth.gql(REFRESH, { t: 'x'.repeat(43) }))).toBe('MSAuthInvalidRefreshToken');
    expect(errorCode(await auth.gql(REFRESH, { t: 'short' }))).toBe('MSAuthInvalidRefreshToken');
  });

  it('an expired session cannot be refreshed', async () => {
    const auth = await startAuth({ settings: { refreshTokenTtlSeconds: 60 } });
    const first = await auth.register(uniqueEmail());
    auth.clock.advance(61_000);
    expect(errorCode(await auth.gql(REFRESH, { t: first.refreshToken }))).toBe('MSAuthInvalidRefreshToken');
  });
});
