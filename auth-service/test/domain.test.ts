import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../src/domain/email.js';
import { DEFAULT_LOGIN_THROTTLE, decideLoginAttempt, isLockActive, retryAfterSeconds, shouldLock, type LoginThrottleState } from '../src/domain/login-throttle-rules.js';
import { judgeOtpAttempt } from '../src/domain/otp.js';
import { hashPassword, verifyPassword } from '../src/domain/password-hash.js';
import { checkPasswordPolicy } from '../src/domain/password-policy.js';
import { hashRefreshToken, isWellFormedRefreshToken, generateRefreshToken } from '../src/domain/refresh-token.js';
import { canAssignRole, tenantRoleProblems } from '../src/domain/role-rules.js';

const cheap = { logN: 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('salts per hash, verifies the right password only, and asks for a rehash after a cost increase', async () => {
    const a = await hashPassword('a long enough password', cheap);
    const b = await hashPassword('a long enough password', cheap);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(await verifyPassword('a long enough password', a, cheap)).toEqual({ valid: true, needsRehash: false });
    expect((await verifyPassword('a long enough passworD', a, cheap)).valid).toBe(false);
    expect(await verifyPassword('a long enough password', a, { logN: 11, r: 8, p: 1 })).toEqual({ valid: true, needsRehash: true });
  });

  it('never verifies malformed or absurd-cost hashes', async () => {
    for (const stored of ['', 'bcrypt$x', 'scrypt$30$8$1$c2FsdA$aGFzaA', 'scrypt$10$8$1$$']) {
      expect((await verifyPassword('whatever password', stored, cheap)).valid).toBe(false);
    }
  });
});

describe('rules', () => {
  it('password policy: length in characters, common passwords, email inside', () => {
    expect(checkPasswordPolicy('short')).toEqual(['too_short']);
    expect(checkPasswordPolicy('🔒🔒🔒🔒🔒🔒🔒🔒🔒🔒')).toEqual([]);
    expect(checkPasswordPolicy('Password123')).toEqual(['too_common']);
    expect(checkPasswordPolicy('xx-johnsmith-xx', { email: 'JohnSmith@example.com' })).toEqual(['contains_email']);
    expect(checkPasswordPolicy('x'.repeat(257))).toEqual(['too_long']);
  });

  it('emails compare trimmed and case-insensitively', () => {
    expect(normalizeEmail('  Ana@Example.COM ')).toBe('ana@example.com');
  });

  it('lockout deadlines', () => {
    expect(isLockActive(null, 5)).toBe(false);
    expect(isLockActive(10, 9)).toBe(true);
    expect(isLockActive(10, 10)).toBe(false);
    expect(retryAfterSeconds(10_500, 10_000)).toBe(1);
    expect(shouldLock(4, 5)).toBe(false);
    expect(shouldLock(5, 5)).toBe(true);
  });

  it('OTP verdicts: consumed beats expired beats exhausted beats the code', () => {
    const live = { expiresAt: new Date(1000), attempts: 0, maxAttempts: 3, consumedAt: null };
    expect(judgeOtpAttempt(live, true, 999)).toBe('ok');
    expect(judgeOtpAttempt(live, false, 999)).toBe('mismatch');
    expect(judgeOtpAttempt(live, true, 1000)).toBe('expired');
    expect(judgeOtpAttempt({ ...live, attempts: 3 }, true, 0)).toBe('attempts_exceeded');
    expect(judgeOtpAttempt({ ...live, consumedAt: new Date(0) }, true, 0)).toBe('consumed');
  });

  it('refresh tokens are 256-bit base64url values stored as SHA-256', () => {
    const token = generateRefreshToken();
    expect(isWellFormedRefreshToken(token)).toBe(true);
    expect(hashRefreshToken(token)).not.toBe(token);
    expect(hashRefreshToken(token)).toBe(hashRefreshToken(token));
  });

  it('tenant admins write only own/tenant allow targets and never platform roles', () => {
    expect(tenantRoleProblems({ name: 'clerk', permissions: ['wallet:read:tenant', 'user:read:own'], denies: ['transfer:*:*'] }, false)).toEqual([]);
    expect(tenantRoleProblems({ name: 'clerk', permissions: ['wallet:read:*'] }, false)).toHaveLength(1);
    expect(tenantRoleProblems({ name: 'clerk', permissions: ['wallet:read:*'] }, true)).toEqual([]);
    expect(canAssignRole('system', false)).toBe(false);
    expect(canAssignRole('system', true)).toBe(true);
    expect(canAssignRole('support', false)).toBe(true);
  });
});

describe('login attempt decisions', () => {
  const now = 1_000_000;
  const clean: LoginThrottleState = { addressLockedUntil: null, accountAddressLockedUntil: null, accountFailures: 0, isKnownAddress: false };
  const s = DEFAULT_LOGIN_THROTTLE;

  it('a clean address on a quiet account goes through', () => {
    expect(decideLoginAttempt(clean, s, now)).toEqual({ kind: 'allow' });
  });

  it('a locked address is refused whatever the account, with the seconds left', () => {
    expect(decideLoginAttempt({ ...clean, addressLockedUntil: now + 4_500 }, s, now)).toEqual({ kind: 'refuse', scope: 'address', retryAfterSeconds: 5 });
  });

  it('a locked (account, address) pair is refused; the same account from elsewhere is not', () => {
    expect(decideLoginAttempt({ ...clean, accountAddressLockedUntil: now + 60_000 }, s, now)).toMatchObject({ kind: 'refuse', scope: 'account-address' });
    expect(decideLoginAttempt({ ...clean, accountAddressLockedUntil: null }, s, now)).toEqual({ kind: 'allow' });
  });

  it('an expired lock refuses nothing', () => {
    expect(decideLoginAttempt({ ...clean, addressLockedUntil: now, accountAddressLockedUntil: now - 1 }, s, now)).toEqual({ kind: 'allow' });
  });

  it("a slowed account makes unfamiliar addresses wait for a slot, and lets the owner's known addresses through", () => {
    const slowed = { ...clean, accountFailures: s.maxFailuresPerAccount };
    expect(decideLoginAttempt(slowed, s, now)).toEqual({ kind: 'needs-slot', intervalSeconds: s.unknownAddressIntervalSeconds });
    expect(decideLoginAttempt({ ...slowed, isKnownAddress: true }, s, now)).toEqual({ kind: 'allow' });
    expect(decideLoginAttempt({ ...clean, accountFailures: s.maxFailuresPerAccount - 1 }, s, now)).toEqual({ kind: 'allow' });
  });

  it('a lock outranks the known-address pass: a known address that guesses is still stopped', () => {
    expect(decideLoginAttempt({ ...clean, isKnownAddress: true, accountAddressLockedUntil: now + 1_000 }, s, now)).toMatchObject({ kind: 'refuse' });
  });
});
