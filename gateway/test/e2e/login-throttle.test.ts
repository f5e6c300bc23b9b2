import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Client, DEMO } from '../support/client.js';
import { LOGIN_LIMITS } from '../support/global-platform.js';

/**
 * Failed logins through the gateway, each client with its own address (X-Forwarded-For, believed
 * from the loopback proxy the shared platform trusts): the attacker is stopped, and neither the
 * account owner nor anyone else is locked out.
 */
const THROTTLE = 'query($email: String!, $address: String) { loginThrottle(email: $email, address: $address) { accountFailures address { failures accountFailures accountLockedUntil } } }';
const WRONG = 'not-the-password-at-all';

describe('login throttling through the gateway', () => {
  it('an address stuffing made-up credentials is stopped; the owner, other users and the admin still log in from their own addresses', async () => {
    const attacker = new Client();
    const owner = new Client();
    const victim = await owner.newUser('victim');
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i++) {
      const answer = await attacker.login(`made-up-${randomUUID().slice(0, 8)}@e2e.local`, WRONG);
      expect(answer.errors?.[0]?.extensions?.['code']).toBe('MSAuthInvalidCredentials');
    }
    const stopped = await attacker.login(victim.email, victim.password);
    expect(stopped.errors?.[0]?.extensions).toMatchObject({ code: 'MSAuthAccountLocked', scope: 'address' });
    expect(stopped.errors?.[0]?.extensions?.['retryAfterSeconds']).toBeGreaterThan(0);

    expect((await owner.login(victim.email, victim.password)).data?.login.user.id).toBe(victim.id);
    const bystander = new Client();
    expect((await bystander.login(DEMO.admin, DEMO.password)).errors).toBeUndefined();
  });

  it('wrong passwords on one account lock that account for the guessing address only; the admin sees the address the gateway signed and clears it', async () => {
    const attacker = new Client();
    const owner = new Client();
    const victim = await owner.newUser('target');
    for (let i = 0; i < LOGIN_LIMITS.perAccountAddress; i++) await attacker.login(victim.email, WRONG);
    expect((await attacker.login(victim.email, victim.password)).errors?.[0]?.extensions).toMatchObject({ code: 'MSAuthAccountLocked', scope: 'account-address' });
    expect((await owner.login(victim.email, victim.password)).data?.login.user.id).toBe(victim.id);

    // The failures were counted for the attacker's own address: the client address reached
    // auth-service inside the gateway's signed context, not as the gateway's.
    const admin = new Client();
    const token = await admin.admin();
    const seen = await admin.ok(THROTTLE, { email: victim.email, address: attacker.address }, token);
    expect(seen.loginThrottle).toMatchObject({ accountFailures: LOGIN_LIMITS.perAccountAddress, address: { accountLockedUntil: expect.any(String) } });
    const gatewaySeen = await admin.ok(THROTTLE, { email: victim.email, address: '127.0.0.1' }, token);
    expect(gatewaySeen.loginThrottle.address).toMatchObject({ failures: 0, accountFailures: 0, accountLockedUntil: null });

    await admin.ok('mutation($email: String!, $address: String) { clearLoginThrottle(email: $email, address: $address) }', { email: victim.email, address: attacker.address }, token);
    expect((await attacker.login(victim.email, victim.password)).data?.login.user.id).toBe(victim.id);
  });
});
