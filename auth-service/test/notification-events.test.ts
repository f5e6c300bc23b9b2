import { describe, expect, it } from 'vitest';
import { errorCode, eventually, startAuth, uniqueEmail } from './support/harness.js';

const CHANGE = 'mutation($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) }';
const REFRESH = 'mutation($token: String!) { refreshToken(refreshToken: $token) { accessToken } }';
const PASSWORD = 'correct horse battery staple';

describe('events for notifications', () => {
  it('a login from an unfamiliar address is announced; the first login and a familiar address are not', async () => {
    const auth = await startAuth();
    const email = uniqueEmail();
    const user = (await auth.register(email)).user;
    expect((await auth.login(email, { address: '198.51.100.10' })).data?.login).toBeTruthy();
    expect((await auth.login(email, { address: '198.51.100.10' })).data?.login).toBeTruthy();
    expect((await auth.login(email, { address: '203.0.113.50' })).data?.login).toBeTruthy();
    const announced = await eventually(async () => {
      const events = (await auth.events('auth.login.new_device')).filter((e) => e.userId === user.id);
      return events.length > 0 ? events : undefined;
    });
    expect(announced.map((e) => e.data.clientAddress)).toEqual(['203.0.113.50']);
    const logins = (await auth.events('user.logged_in')).filter((e) => e.userId === user.id);
    expect(logins.map((e) => e.data.newDevice)).toEqual([false, false, true]);
  });

  it('changePassword: the old password stops working, every session ends, and the change is announced without secrets', async () => {
    const auth = await startAuth();
    const email = uniqueEmail();
    const registered = await auth.register(email, { password: PASSWORD });
    const other = (await auth.login(email, { password: PASSWORD })).data!.login;
    expect(errorCode(await auth.gql(CHANGE, { current: 'not the password at all', next: 'a brand new passphrase 2026' }, { token: registered.accessToken }))).toBe('MSAuthInvalidCredentials');
    expect(errorCode(await auth.gql(CHANGE, { current: PASSWORD, next: 'short' }, { token: registered.accessToken }))).toBe('MSAuthWeakPassword');
    expect(errorCode(await auth.gql(CHANGE, { current: PASSWORD, next: 'a brand new passphrase 2026' }))).toBe('UNAUTHENTICATED');
    expect((await auth.login(email, { password: PASSWORD })).data?.login).toBeTruthy();

    expect((await auth.gql(CHANGE, { current: PASSWORD, next: 'a brand new passphrase 2026' }, { token: registered.accessToken })).data).toEqual({ changePassword: true });
    expect(errorCode(await auth.login(email, { password: PASSWORD }))).toBe('MSAuthInvalidCredentials');
    expect((await auth.login(email, { password: 'a brand new passphrase 2026' })).data?.login).toBeTruthy();
    expect(errorCode(await auth.gql(REFRESH, { token: other.refreshToken }))).not.toBeUndefined();
    const [changed] = await eventually(async () => {
      const events = (await auth.events('auth.password_changed')).filter((e) => e.userId === registered.user.id);
      return events.length > 0 ? events : undefined;
    });
    expect(JSON.stringify(changed)).not.toContain('passphrase');
    expect(JSON.stringify(changed)).not.toContain(PASSWORD);
  });

  it('an account locked for an address is announced once, however many attempts follow', async () => {
    const auth = await startAuth({ settings: { loginThrottle: { maxFailuresPerAccountAddress: 3, maxFailuresPerAddress: 50, maxFailuresPerAccount: 50, lockoutSeconds: 60 } } });
    const email = uniqueEmail();
    const user = (await auth.register(email)).user;
    for (let i = 0; i < 6; i++) await auth.login(email, { password: 'wrong wrong wrong wrong', address: '203.0.113.77' });
    await auth.login(uniqueEmail('nobody'), { password: 'wrong wrong wrong wrong', address: '203.0.113.78' });
    const locks = await eventually(async () => {
      const events = await auth.events('auth.account_locked');
      return events.length > 0 ? events : undefined;
    });
    expect(locks.map((e) => [e.userId, e.data.clientAddress, e.data.scope])).toEqual([[user.id, '203.0.113.77', 'account-address']]);
    expect(locks[0]!.data.retryAfterSeconds).toBeGreaterThan(0);
  });
});
