import { randomUUID } from 'node:crypto';
import { type } from 'arktype';
import { CORE_ERRORS, GraphQLError, validateInput, withTransaction } from 'core-service';
import type { AuthContext } from '../deps.js';
import { REGISTRATION_ROLE } from '../domain/default-roles.js';
import { isPlausibleEmail, normalizeEmail } from '../domain/email.js';
import { generateReferralCode, normalizeReferralCode } from '../domain/referral-code.js';
import { decideLoginAttempt, isAccountSlowed, isLockActive, retryAfterSeconds } from '../domain/login-throttle-rules.js';
import { requireAuthenticated } from 'core-service/access';
import { checkPasswordPolicy } from '../domain/password-policy.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../domain/password-hash.js';
import { generateRefreshToken, hashRefreshToken, isWellFormedRefreshToken } from '../domain/refresh-token.js';
import { canAuthenticate, type UserRecord } from '../domain/user.js';
import { AUTH_ERRORS } from '../error-codes.js';
import { AUTH_EVENTS, type AccountLockedData, type LoginNewDeviceData, type PasswordChangedData, type UserLoggedInData, type UserRegisteredData } from '../events/auth-events.js';
import { authError, isDuplicateKeyError } from './errors.js';
import { finishIssue, markSessionsRevoked, openSession, type AuthPayload } from './issue-session.js';

const registerInput = type({
  email: 'string > 0',
  password: 'string > 0',
  'displayName?': 'string | null',
  tenantId: 'string > 0',
  'phone?': 'string | null',
  'referralCode?': 'string | null',
});

const loginInput = type({ email: 'string > 0', password: 'string > 0', tenantId: 'string > 0' });

export async function register(_: unknown, args: { input: unknown }, ctx: AuthContext): Promise<AuthPayload> {
  const input = validateInput(registerInput, args.input);
  const { deps } = ctx;
  if (!isPlausibleEmail(input.email)) throw new GraphQLError(CORE_ERRORS.BadUserInput, { fields: [{ path: 'email', message: 'not an email address' }] }, { message: 'Invalid email address' });
  const problems = checkPasswordPolicy(input.password, { email: input.email });
  if (problems.length > 0) throw authError(AUTH_ERRORS.WeakPassword, 'Password does not meet the policy', { problems });
  if ((await deps.tenants.findById(input.tenantId)) === null) throw authError(AUTH_ERRORS.TenantNotFound, 'Unknown tenant');
  const referrer = input.referralCode == null ? null : await deps.users.findByReferralCode(input.tenantId, normalizeReferralCode(input.referralCode));
  if (input.referralCode != null && referrer === null) {
    throw new GraphQLError(CORE_ERRORS.BadUserInput, { fields: [{ path: 'referralCode', message: 'no such referral code in this tenant' }] }, { message: 'Unknown referral code' });
  }

  const now = new Date(deps.clock.now());
  const user: UserRecord = {
    id: randomUUID(),
    tenantId: input.tenantId,
    email: input.email.trim(),
    emailNormalized: normalizeEmail(input.email),
    phone: input.phone ?? null,
    displayName: input.displayName ?? null,
    passwordHash: await hashPassword(input.password, deps.settings.scrypt),
    roles: [REGISTRATION_ROLE],
    grants: [],
    denies: [],
    status: 'active',
    emailVerifiedAt: null,
    referralCode: generateReferralCode(),
    referredBy: referrer?.id ?? null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    // The account and its announcement commit together (outbox): no user without the event.
    await withTransaction({
      client: deps.client,
      fn: async (session) => {
        await deps.users.insert(user, session);
        await deps.events.emit<UserRegisteredData>(
          AUTH_EVENTS.UserRegistered,
          user.tenantId,
          user.id,
          {
            email: user.email,
            phone: user.phone,
            displayName: user.displayName,
            status: user.status,
            referralCode: user.referralCode ?? null,
            referredBy: user.referredBy ?? null,
            createdAt: user.createdAt.toISOString(),
          },
          { session },
        );
      },
    });
  } catch (error) {
    if (isDuplicateKeyError(error)) throw authError(AUTH_ERRORS.EmailTaken, 'This email is already registered');
    throw error;
  }
  // The address an account was created from is its first own address: logging in from it is not news.
  await deps.throttle.recordSuccess(user.tenantId, user.emailNormalized, ctx.clientAddress, now.getTime());
  const { payload } = await openSession(deps, user, ctx.clientAddress);
  return payload;
}

export async function login(_: unknown, args: { input: unknown }, ctx: AuthContext): Promise<AuthPayload> {
  const input = validateInput(loginInput, args.input);
  const { deps, clientAddress } = ctx;
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  const audit = (reason: string, userId: string | null) => deps.events.emit(AUTH_EVENTS.UserLoginFailed, input.tenantId, userId, { reason, email, clientAddress });

  const throttleState = await deps.throttle.state(input.tenantId, email, clientAddress, now);
  const decision = decideLoginAttempt(throttleState, deps.settings.loginThrottle, now);
  if (decision.kind === 'refuse') {
    await audit(`throttled:${decision.scope}`, null);
    throw authError(AUTH_ERRORS.AccountLocked, 'Too many failed attempts; try again later', { retryAfterSeconds: decision.retryAfterSeconds, scope: decision.scope });
  }
  if (decision.kind === 'needs-slot') {
    const slot = await deps.throttle.takeSlot(input.tenantId, email, decision.intervalSeconds, now);
    if (slot !== true) {
      await audit('throttled:account', null);
      throw authError(AUTH_ERRORS.AccountLocked, 'Too many failed attempts on this account from unfamiliar places; try again later', { retryAfterSeconds: slot, scope: 'account' });
    }
  }

  const user = await deps.users.findByEmail(input.tenantId, email);
  // Unknown email costs one hash too, so response time does not reveal which emails exist.
  const verification = await verifyPassword(input.password, user?.passwordHash ?? (await dummyPasswordHash(deps.settings.scrypt)), deps.settings.scrypt);
  if (user === null || !verification.valid) {
    await deps.throttle.recordFailure(input.tenantId, email, clientAddress, now);
    await audit('bad_credentials', user?.id ?? null);
    if (user !== null) await announceLock(ctx, user, email, now);
    throw authError(AUTH_ERRORS.InvalidCredentials, 'Invalid email or password');
  }
  if (!canAuthenticate(user.status)) {
    await audit(user.status, user.id);
    if (user.status === 'suspended') throw authError(AUTH_ERRORS.AccountSuspended, 'This account is suspended');
    throw authError(AUTH_ERRORS.AccountLocked, 'This account is locked');
  }

  // An address that is not among the account's own (the registration address and earlier
  // successful logins, within knownAddressDays): the owner is told. Read before recordSuccess adds it.
  const newDevice = clientAddress !== null && !throttleState.isKnownAddress;
  await deps.throttle.recordSuccess(input.tenantId, email, clientAddress, now);
  if (verification.needsRehash) {
    // Cost raised since this hash was made: upgrade it now that the password is in hand.
    await deps.users.setPasswordHash(user.id, await hashPassword(input.password, deps.settings.scrypt), new Date(now));
  }
  const { payload, session } = await openSession(deps, user, clientAddress);
  await deps.events.emit<UserLoggedInData>(AUTH_EVENTS.UserLoggedIn, user.tenantId, user.id, { sessionId: session.id, clientAddress, newDevice });
  if (newDevice && clientAddress !== null)
    await deps.events.emit<LoginNewDeviceData>(AUTH_EVENTS.LoginNewDevice, user.tenantId, user.id, { sessionId: session.id, clientAddress, at: new Date(now).toISOString() });
  return payload;
}

/**
 * After a failed attempt on an existing user: when failures have locked the account, the owner
 * is told once per lock period (the throttle store dedupes with SET NX keys living as long as the
 * lock), never per refused attempt. Two transitions count:
 * - `account-address`: the (account, address) pair reached its limit and that address is refused;
 * - `account`: the account reached its limit from anywhere and unfamiliar addresses are slowed
 *   to one attempt per interval (the per-account slot regime).
 */
async function announceLock(ctx: AuthContext, user: UserRecord, email: string, now: number): Promise<void> {
  const { deps, clientAddress } = ctx;
  const after = await deps.throttle.state(user.tenantId, email, clientAddress, now);
  const announce = (scope: 'account-address' | 'account', retryAfter: number) =>
    deps.events.emit<AccountLockedData>(AUTH_EVENTS.AccountLocked, user.tenantId, user.id, { scope, retryAfterSeconds: retryAfter, clientAddress });
  if (clientAddress !== null && isLockActive(after.accountAddressLockedUntil, now)) {
    const lockedUntil = after.accountAddressLockedUntil!;
    const retryAfter = retryAfterSeconds(lockedUntil, now);
    if (await deps.throttle.claimAccountAddressLockNotice(user.tenantId, email, clientAddress, lockedUntil, retryAfter)) await announce('account-address', retryAfter);
  }
  if (isAccountSlowed(after.accountFailures, deps.settings.loginThrottle)) {
    const notice = await deps.throttle.claimAccountSlowedNotice(user.tenantId, email);
    if (notice.claimed) await announce('account', notice.retryAfterSeconds);
  }
}

const changePasswordInput = type({ currentPassword: 'string', newPassword: 'string' });

/**
 * The signed-in user replaces their password: the current one is checked like a login, the new
 * one against the policy. The hash and the `auth.password_changed` announcement commit together
 * (outbox); then every other refresh-token session of the user ends (the caller's own stays),
 * marked revoked for the gateway and announced like a logout so live connections close.
 */
export async function changePassword(_: unknown, args: unknown, ctx: AuthContext): Promise<boolean> {
  const caller = requireAuthenticated(ctx);
  const input = validateInput(changePasswordInput, args);
  const { deps } = ctx;
  const user = await deps.users.findById(caller.id);
  if (user === null) throw authError(AUTH_ERRORS.UserNotFound, 'User not found');
  const verification = await verifyPassword(input.currentPassword, user.passwordHash, deps.settings.scrypt);
  if (!verification.valid) throw authError(AUTH_ERRORS.InvalidCredentials, 'The current password is not right');
  const problems = checkPasswordPolicy(input.newPassword, { email: user.email });
  if (problems.length > 0) throw authError(AUTH_ERRORS.WeakPassword, 'Password does not meet the policy', { problems });
  const passwordHash = await hashPassword(input.newPassword, deps.settings.scrypt);
  const now = new Date(deps.clock.now());
  await withTransaction({
    client: deps.client,
    fn: async (session) => {
      await deps.users.setPasswordHash(user.id, passwordHash, now, session);
      await deps.events.emit<PasswordChangedData>(AUTH_EVENTS.PasswordChanged, user.tenantId, user.id, { at: now.toISOString(), clientAddress: ctx.clientAddress }, { session });
    },
  });
  const revoked = await deps.sessions.revokeAllForUser(user.id, 'password_changed', now, caller.sessionId);
  await markSessionsRevoked(deps, revoked);
  for (const sessionId of revoked) await deps.events.emit(AUTH_EVENTS.SessionRevoked, user.tenantId, user.id, { sessionId, reason: 'password_changed' });
  return true;
}

export async function refreshToken(_: unknown, args: { refreshToken: string }, ctx: AuthContext): Promise<AuthPayload> {
  const { deps } = ctx;
  const presented = args.refreshToken;
  if (!isWellFormedRefreshToken(presented)) throw authError(AUTH_ERRORS.InvalidRefreshToken, 'Invalid refresh token');
  const hash = hashRefreshToken(presented);
  const now = new Date(deps.clock.now());

  const next = generateRefreshToken();
  const session = await deps.sessions.rotate(hash, hashRefreshToken(next), now);
  if (session === null) {
    // Not rotated: find out why, off the hot path.
    const current = await deps.sessions.findByTokenHash(hash);
    if (current !== null) {
      if (current.status !== 'active') throw authError(AUTH_ERRORS.SessionRevoked, 'Session has been revoked');
      await deps.sessions.revoke(current.id, 'expired', now);
      throw authError(AUTH_ERRORS.InvalidRefreshToken, 'Session expired; log in again');
    }
    // A token that was already exchanged: a replay (or the loser of two concurrent refreshes).
    const replayed = await deps.sessions.findByRotatedHash(hash);
    if (replayed !== null) {
      if (replayed.status === 'active') await revokeFamily(ctx, replayed.id, replayed.tenantId, replayed.userId, now);
      throw authError(AUTH_ERRORS.RefreshTokenReused, 'Refresh token was already used; the session has been revoked');
    }
    throw authError(AUTH_ERRORS.InvalidRefreshToken, 'Invalid refresh token');
  }

  const user = await deps.users.findById(session.userId);
  if (user === null || !canAuthenticate(user.status)) {
    await deps.sessions.revoke(session.id, 'suspended', now);
    await markSessionsRevoked(deps, [session.id]);
    throw authError(AUTH_ERRORS.AccountSuspended, 'This account cannot be used');
  }
  return finishIssue(deps, user, session.id, next);
}

export async function logout(_: unknown, args: { refreshToken: string }, ctx: AuthContext): Promise<boolean> {
  const { deps } = ctx;
  if (!isWellFormedRefreshToken(args.refreshToken)) return false;
  const session = await deps.sessions.findByTokenHash(hashRefreshToken(args.refreshToken));
  if (session === null) return false;
  const revoked = await deps.sessions.revoke(session.id, 'logout', new Date(deps.clock.now()));
  await markSessionsRevoked(deps, [session.id]);
  if (revoked) await deps.events.emit(AUTH_EVENTS.SessionRevoked, session.tenantId, session.userId, { sessionId: session.id, reason: 'logout' });
  return revoked;
}

async function revokeFamily(ctx: AuthContext, sessionId: string, tenantId: string, userId: string, now: Date): Promise<void> {
  await ctx.deps.sessions.revoke(sessionId, 'reuse_detected', now);
  await markSessionsRevoked(ctx.deps, [sessionId]);
  ctx.logger.warn({ sessionId, userId }, 'refresh token reuse detected; session family revoked');
  await ctx.deps.events.emit(AUTH_EVENTS.SessionRevoked, tenantId, userId, { sessionId, reason: 'reuse_detected' });
}
