import { describe, expect, it } from 'vitest';
import { decodeClaims, errorCode, eventually, startAuth, uniqueEmail, type AuthHarness } from './support/harness.js';

const CHANGE = 'mutation($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) }';
const REFRESH = 'mutation($token: String!) { refreshToken(refreshToken: $token) { accessToken } }';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase 2026';
const WRONG = 'wrong wrong wrong wrong';
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Events of one type for one user, as published on the stream. */
async function eventsOf(auth: AuthHarness, type: string, userId: string) {
  return (await auth.events(type)).filter((e) => e.userId === userId);
}

/** For events that go out through the outbox relay (published after the transaction commits). */
function published(auth: AuthHarness, type: string, userId: string) {
  return eventually(async () => {
    const events = await eventsOf(auth, type, userId);
    return events.length > 0 ? events : undefined;
  });
}

describe('events for notifications', () => {
  it('user.registered carries the phone, or null when none was given', async () => {
    const auth = await startAuth();
    const withPhone = await auth.register(uniqueEmail('phone'), { phone: '+15550100123' });
    const without = await auth.register(uniqueEmail('nophone'));
    const [registered] = await published(auth, 'user.registered', withPhone.user.id);
    expect(registered!.data.phone).toBe('+15550100123');
    const [other] = await published(auth, 'user.registered', without.user.id);
    expect(other!.data).toHaveProperty('phone', null);
  });

  it('a login from an unfamiliar address is announced; the registration address and known ones are not', async () => {
    const auth = await startAuth();
    const email = uniqueEmail();
    const user = (await auth.register(email, { address: '198.51.100.10' })).user;

    expect((await auth.login(email, { address: '198.51.100.10' })).data?.login).toBeTruthy();
    expect(await eventsOf(auth, 'auth.login.new_device', user.id)).toEqual([]);

    const fromElsewhere = (await auth.login(email, { address: '203.0.113.50' })).data!.login;
    // Now known: a second login from there is not news either.
    expect((await auth.login(email, { address: '203.0.113.50' })).data?.login).toBeTruthy();

    const announced = await eventsOf(auth, 'auth.login.new_device', user.id);
    expect(announced).toHaveLength(1);
    expect(announced[0]!.data).toEqual({ sessionId: decodeClaims(fromElsewhere.accessToken).sid, clientAddress: '203.0.113.50', at: expect.stringMatching(ISO) });
    expect(new Date(announced[0]!.data.at).getTime()).toBe(auth.clock.now());
    const logins = await eventsOf(auth, 'user.logged_in', user.id);
    expect(logins.map((e) => [e.data.clientAddress, e.data.newDevice])).toEqual([
      ['198.51.100.10', false],
      ['203.0.113.50', true],
      ['203.0.113.50', false],
    ]);
  });

  it('changePassword: the old password stops working, other sessions end, the caller stays, and the change is announced without secrets', async () => {
    const auth = await startAuth();
    const email = uniqueEmail();
    const registered = await auth.register(email, { password: PASSWORD, address: '198.51.100.20' });
    const other = (await auth.login(email, { password: PASSWORD, address: '198.51.100.20' })).data!.login;
    const oldHash = (await auth.service.deps.users.findById(registered.user.id))!.passwordHash;

    const changed = await auth.gql(CHANGE, { current: PASSWORD, next: NEW_PASSWORD }, { token: registered.accessToken, address: '198.51.100.21' });
    expect(changed).toEqual({ data: { changePassword: true } });

    expect(errorCode(await auth.login(email, { password: PASSWORD }))).toBe('MSAuthInvalidCredentials');
    expect((await auth.login(email, { password: NEW_PASSWORD })).data?.login).toBeTruthy();
    // The other session's refresh token is refused; the caller's own session goes on.
    expect(errorCode(await auth.gql(REFRESH, { token: other.refreshToken }))).toBe('MSAuthSessionRevoked');
    expect((await auth.gql(REFRESH, { token: registered.refreshToken })).data?.refreshToken.accessToken).toEqual(expect.any(String));
    const revoked = await eventsOf(auth, 'auth.session_revoked', registered.user.id);
    expect(revoked.map((e) => e.data)).toEqual([{ sessionId: decodeClaims(other.accessToken).sid, reason: 'password_changed' }]);

    const announced = await published(auth, 'auth.password_changed', registered.user.id);
    expect(announced).toHaveLength(1);
    expect(announced[0]!.data).toEqual({ at: expect.stringMatching(ISO), clientAddress: '198.51.100.21' });
    const newHash = (await auth.service.deps.users.findById(registered.user.id))!.passwordHash;
    expect(newHash).not.toBe(oldHash);
    // No secret anywhere on the stream or in the outbox.
    const everything = JSON.stringify([await auth.events(), await auth.service.deps.db.collection('outbox').find({}).toArray()]);
    for (const secret of [PASSWORD, NEW_PASSWORD, oldHash, newHash]) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(/passwordHash|scrypt/);
  });

  it('changePassword with a wrong current password, a weak new one or no user changes nothing', async () => {
    const auth = await startAuth();
    const email = uniqueEmail();
    const registered = await auth.register(email, { password: PASSWORD });
    const other = (await auth.login(email, { password: PASSWORD })).data!.login;
    const before = await auth.service.deps.users.findById(registered.user.id);

    const wrong = await auth.gql(CHANGE, { current: 'not the password at all', next: NEW_PASSWORD }, { token: registered.accessToken });
    expect(errorCode(wrong)).toBe('MSAuthInvalidCredentials');
    const weak = await auth.gql(CHANGE, { current: PASSWORD, next: 'short' }, { token: registered.accessToken });
    expect(errorCode(weak)).toBe('MSAuthWeakPassword');
    expect(weak.errors![0]!.extensions!['problems']).toEqual(expect.any(Array));
    expect(errorCode(await auth.gql(CHANGE, { current: PASSWORD, next: NEW_PASSWORD }))).toBe('UNAUTHENTICATED');

    expect(await auth.service.deps.users.findById(registered.user.id)).toEqual(before);
    expect((await auth.login(email, { password: PASSWORD })).data?.login).toBeTruthy();
    expect(errorCode(await auth.login(email, { password: NEW_PASSWORD }))).toBe('MSAuthInvalidCredentials');
    expect((await auth.gql(REFRESH, { token: other.refreshToken })).data?.refreshToken.accessToken).toEqual(expect.any(String));
    expect(await eventsOf(auth, 'auth.session_revoked', registered.user.id)).toEqual([]);

    // A change that succeeds afterwards is the only one announced: the refused ones left nothing in the outbox.
    expect((await auth.gql(CHANGE, { current: PASSWORD, next: NEW_PASSWORD }, { token: registered.accessToken })).data).toEqual({ changePassword: true });
    expect(await published(auth, 'auth.password_changed', registered.user.id)).toHaveLength(1);
    expect(await auth.service.deps.db.collection('outbox').countDocuments({ events: { $elemMatch: { 'event.type': 'auth.password_changed', 'event.userId': registered.user.id } } })).toBe(1);
  });

  it('an account locked for an address is announced once per lock, however many attempts it refuses; unknown emails never', async () => {
    const throttle = { maxFailuresPerAccountAddress: 3, maxFailuresPerAddress: 50, maxFailuresPerAccount: 50, lockoutSeconds: 60 };
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const email = uniqueEmail();
    const user = (await auth.register(email)).user;
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 7; i++) codes.push(errorCode(await auth.login(email, { password: WRONG, address: '203.0.113.77' })));
    expect(codes).toEqual([
      'MSAuthInvalidCredentials',
      'MSAuthInvalidCredentials',
      'MSAuthInvalidCredentials',
      'MSAuthAccountLocked',
      'MSAuthAccountLocked',
      'MSAuthAccountLocked',
      'MSAuthAccountLocked',
    ]);
    for (let i = 0; i < 5; i++) await auth.login(uniqueEmail('nobody'), { password: WRONG, address: '203.0.113.78' });

    let locks = await auth.events('auth.account_locked');
    expect(locks.map((e) => [e.userId, e.data])).toEqual([[user.id, { scope: 'account-address', retryAfterSeconds: 60, clientAddress: '203.0.113.77' }]]);

    // The lock runs out; failing again locks again: a new lock period, announced once more.
    auth.clock.advance(61_000);
    for (let i = 0; i < 5; i++) await auth.login(email, { password: WRONG, address: '203.0.113.77' });
    locks = await auth.events('auth.account_locked');
    expect(locks.map((e) => [e.userId, e.data.scope, e.data.clientAddress])).toEqual([
      [user.id, 'account-address', '203.0.113.77'],
      [user.id, 'account-address', '203.0.113.77'],
    ]);
  });

  it('an account slowed by failures from many addresses is announced once for the failure window', async () => {
    const throttle = { maxFailuresPerAccountAddress: 50, maxFailuresPerAddress: 50, maxFailuresPerAccount: 3, unknownAddressIntervalSeconds: 30, failureWindowSeconds: 600 };
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const email = uniqueEmail();
    const user = (await auth.register(email, { address: '198.51.100.30' })).user;
    // Three failures from three addresses slow the account; more follow from unfamiliar addresses
    // (one taking the slot, the rest refused) and from the owner's own address (let through).
    for (let i = 1; i <= 6; i++) await auth.login(email, { password: WRONG, address: `203.0.113.${100 + i}` });
    for (let i = 0; i < 3; i++) expect(errorCode(await auth.login(email, { password: WRONG, address: '198.51.100.30' }))).toBe('MSAuthInvalidCredentials');
    expect((await auth.login(email, { address: '198.51.100.30' })).data?.login).toBeTruthy();

    const locks = await eventsOf(auth, 'auth.account_locked', user.id);
    expect(locks).toHaveLength(1);
    expect(locks[0]!.data).toEqual({ scope: 'account', retryAfterSeconds: expect.any(Number), clientAddress: '203.0.113.103' });
    expect(locks[0]!.data.retryAfterSeconds).toBeGreaterThan(0);
    expect(locks[0]!.data.retryAfterSeconds).toBeLessThanOrEqual(600);
  });
});
