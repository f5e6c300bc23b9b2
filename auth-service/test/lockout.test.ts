import { describe, expect, it } from 'vitest';
import { errorCode, startAuth, uniqueEmail } from './support/harness.js';

const WRONG = 'definitely the wrong password';
const throttle = { maxFailuresPerAccount: 3, maxFailuresPerAddress: 5, failureWindowSeconds: 600, lockoutSeconds: 30 };

describe('login throttling', () => {
  it('locks an account after repeated failures and lets it in again once the lockout expires', async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const email = uniqueEmail();
    await auth.register(email);
    for (let i = 0; i < 3; i++) expect(errorCode(await auth.login(email, { password: WRONG, address: `10.0.0.${i}` }))).toBe('MSAuthInvalidCredentials');
    // Even the right password is refused while locked, with a hint when to retry.
    const locked = await auth.login(email, { address: '10.0.1.1' });
    expect(errorCode(locked)).toBe('MSAuthAccountLocked');
    expect(locked.errors?.[0]?.extensions?.['retryAfterSeconds']).toBe(30);
    auth.clock.advance(29_000);
    expect(errorCode(await auth.login(email, { address: '10.0.1.1' }))).toBe('MSAuthAccountLocked');
    auth.clock.advance(2_000);
    const after = await auth.login(email, { address: '10.0.1.1' });
    expect(after.data?.login.user.email).toBe(email);
    // A success clears the count: the next failure does not lock again straight away.
    expect(errorCode(await auth.login(email, { password: WRONG, address: '10.0.1.2' }))).toBe('MSAuthInvalidCredentials');
    expect(errorCode(await auth.login(email, { address: '10.0.1.2' }))).toBeUndefined();
  });

  it('locks unknown emails the same way, so lockout does not reveal which accounts exist', async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const ghost = uniqueEmail('ghost');
    for (let i = 0; i < 3; i++) await auth.login(ghost, { password: WRONG, address: `10.1.0.${i}` });
    expect(errorCode(await auth.login(ghost, { password: WRONG, address: '10.1.0.9' }))).toBe('MSAuthAccountLocked');
  });

  it('locks a client address that fails across many accounts, leaving other addresses alone', async () => {
    const auth = await startAuth({ settings: { loginThrottle: throttle } });
    const victim = uniqueEmail('victim');
    await auth.register(victim);
    for (let i = 0; i < 5; i++) await auth.login(uniqueEmail('stuffed'), { password: WRONG, address: '203.0.113.7' });
    expect(errorCode(await auth.login(victim, { address: '203.0.113.7' }))).toBe('MSAuthAccountLocked');
    expect(errorCode(await auth.login(victim, { address: '198.51.100.1' }))).toBeUndefined();
    auth.clock.advance(31_000);
    expect(errorCode(await auth.login(victim, { address: '203.0.113.7' }))).toBeUndefined();
  });
});
