import { describe, expect, it } from 'vitest';
import { errorCode, startAuth, uniqueEmail } from './support/harness.js';

const WRONG = 'definitely the wrong password';
const throttle = {
  maxFailuresPerAddress: 12,
  maxFailuresPerAccountAddress: 3,
  maxFailuresPerAccount: 6,
  unknownAddressIntervalSeconds: 30,
  failureWindowSeconds: 600,
  lockoutSeconds: 60,
};
const THROTTLE_STATE = `query($email: String!, $address: String) { loginThrottle(email: $email, address: $address) {
  accountFailures slowed knownAddresses address { failures lockedUntil accountFailures accountLockedUntil } } }`;
const CLEAR = 'mutation($email: String!, $address: String) { clearLoginThrottle(email: $email, address: $address) }';

describe('login throttling: the attacker is stopped, nobody else is locked out', () => {
  it('guessing one account from one address locks that pair only: the owner logs in from elsewhere, the lock ends on time', async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const email = uniqueEmail();
    await auth.register(email);
    for (let i = 0; i < 3; i++) expect(errorCode(await auth.login(email, { password: WRONG, address: '203.0.113.7' }))).toBe('MSAuthInvalidCredentials');
    // Even the right password is refused from the guessing address, with a hint when to retry.
    const locked = await auth.login(email, { address: '203.0.113.7' });
    expect(errorCode(locked)).toBe('MSAuthAccountLocked');
    expect(locked.errors?.[0]?.extensions).toMatchObject({ retryAfterSeconds: 60, scope: 'account-address' });
    // The owner, from their own address, is not affected.
    expect((await auth.login(email, { address: '198.51.100.1' })).data?.login.user.email).toBe(email);
    auth.clock.advance(61_000);
    expect((await auth.login(email, { address: '203.0.113.7' })).data?.login.user.email).toBe(email);
  });

  it('credential stuffing from one address locks that address for every account, and no other address', async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const victim = uniqueEmail('victim');
    await auth.register(victim);
    for (let i = 0; i < 12; i++) await auth.login(uniqueEmail('stuffed'), { password: WRONG, address: '203.0.113.8' });
    const refused = await auth.login(victim, { address: '203.0.113.8' });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'MSAuthAccountLocked', scope: 'address' });
    expect(errorCode(await auth.login(victim, { address: '198.51.100.2' }))).toBeUndefined();
    auth.clock.advance(61_000);
    expect(errorCode(await auth.login(victim, { address: '203.0.113.8' }))).toBeUndefined();
  });

  it("a guess spread over many addresses slows unfamiliar addresses to one attempt per interval; the owner's own address goes straight in", async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const email = uniqueEmail('spread');
    await auth.register(email);
    expect(errorCode(await auth.login(email, { address: '198.51.100.10' }))).toBeUndefined(); // the owner's address
    for (let i = 0; i < 6; i++) expect(errorCode(await auth.login(email, { password: WRONG, address: `203.0.113.${20 + i}` }))).toBe('MSAuthInvalidCredentials');
    // Slowed: the next unfamiliar address gets the account's one attempt, the one after waits.
    expect(errorCode(await auth.login(email, { password: WRONG, address: '203.0.113.40' }))).toBe('MSAuthInvalidCredentials');
    const slowed = await auth.login(email, { password: WRONG, address: '203.0.113.41' });
    expect(slowed.errors?.[0]?.extensions).toMatchObject({ code: 'MSAuthAccountLocked', scope: 'account', retryAfterSeconds: 30 });
    // The owner on a known address is never slowed, even during the attack.
    expect((await auth.login(email, { address: '198.51.100.10' })).data?.login.user.email).toBe(email);
    // After the interval an unfamiliar address (the owner on a new phone, say) gets its attempt.
    auth.clock.advance(30_000);
    expect((await auth.login(email, { address: '198.51.100.99' })).data?.login.user.email).toBe(email);
  });

  it('unknown emails are throttled exactly like real ones, so a lock does not reveal which accounts exist', async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 3; i++) await auth.login(ghost, { password: WRONG, address: '203.0.113.9' });
    expect((await auth.login(ghost, { password: WRONG, address: '203.0.113.9' })).errors?.[0]?.extensions).toMatchObject({ code: 'MSAuthAccountLocked', scope: 'account-address' });
  });

  it('the state survives an auth-service restart; an admin sees it and clears it, and a user may not', async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const email = uniqueEmail('member');
    await auth.register(email);
    for (let i = 0; i < 3; i++) await auth.login(email, { password: WRONG, address: '203.0.113.50' });
    await auth.service.stop();
    const restarted = await startAuth({ sharing: auth, settings: { loginThrottle: throttle } });
    expect(errorCode(await restarted.login(email, { address: '203.0.113.50' }))).toBe('MSAuthAccountLocked');

    const admin = await restarted.userWithRoles(uniqueEmail('admin'), ['admin']);
    const seen = await restarted.gql(THROTTLE_STATE, { email, address: '203.0.113.50' }, { token: admin.accessToken });
    expect(seen.data?.loginThrottle).toMatchObject({ accountFailures: 3, slowed: false, address: { accountFailures: 0, accountLockedUntil: expect.any(String) } });
    const member = await restarted.login(email, { address: '198.51.100.60' });
    expect(errorCode(await restarted.gql(CLEAR, { email, address: '203.0.113.50' }, { token: member.data!.login.accessToken }))).toBe('FORBIDDEN');
    expect(errorCode(await restarted.gql(THROTTLE_STATE, { email }, { token: member.data!.login.accessToken }))).toBe('FORBIDDEN');

    expect((await restarted.gql(CLEAR, { email, address: '203.0.113.50' }, { token: admin.accessToken })).data?.clearLoginThrottle).toBe(true);
    expect(errorCode(await restarted.login(email, { address: '203.0.113.50' }))).toBeUndefined();
    const after = await restarted.gql(THROTTLE_STATE, { email }, { token: admin.accessToken });
    expect(after.data?.loginThrottle).toMatchObject({ accountFailures: 0, slowed: false, knownAddresses: expect.arrayContaining(['198.51.100.60', '203.0.113.50']) });
  });
});
