import { randomUUID } from 'node:crypto';
import { type } from 'arktype';
import { requireAuthenticated } from 'core-service/access';
import { sealOtpCode, validateInput, withTransaction } from 'core-service';
import type { AuthContext } from '../deps.js';
import { generateOtpCode, hashOtpCode, judgeOtpAttempt, otpCodesEqual } from '../domain/otp.js';
import { AUTH_ERRORS } from '../error-codes.js';
import { AUTH_EVENTS, type OtpRequestedData } from '../events/auth-events.js';
import type { OtpRecord } from '../store/otp-store.js';
import { authError } from './errors.js';

/** Purposes are free-form labels chosen by the clients (`email_verification`, `withdrawal`). */
const purpose = type(/^[a-z][a-z0-9_]{1,39}$/);
const requestInput = type({ channel: "'EMAIL' | 'SMS'", purpose });
const verifyInput = type({ purpose, code: /^[0-9]{4,10}$/ });

/** The purpose that, once verified, marks the user's email as verified. */
export const EMAIL_VERIFICATION_PURPOSE = 'email_verification';

export async function requestOtp(_: unknown, args: { input: unknown }, ctx: AuthContext): Promise<boolean> {
  const caller = requireAuthenticated(ctx);
  const input = validateInput(requestInput, args.input);
  const { deps } = ctx;
  const user = await deps.users.findById(caller.id);
  if (user === null) throw authError(AUTH_ERRORS.UserNotFound, 'User not found');
  const now = deps.clock.now();
  const code = generateOtpCode(deps.settings.otp.length);
  const id = randomUUID();
  const record: OtpRecord = {
    id,
    tenantId: user.tenantId,
    userId: user.id,
    channel: input.channel,
    purpose: input.purpose,
    codeHash: hashOtpCode(code, deps.otpSecret, id),
    attempts: 0,
    maxAttempts: deps.settings.otp.maxAttempts,
    expiresAt: new Date(now + deps.settings.otp.ttlSeconds * 1000),
    consumedAt: null,
    supersededAt: null,
    createdAt: new Date(now),
  };
  const data: OtpRequestedData = {
    otpId: id,
    channel: input.channel,
    purpose: input.purpose,
    destination: input.channel === 'EMAIL' ? user.email : user.phone,
    sealedCode: sealOtpCode(code, deps.otpDeliveryKey, id),
    expiresAt: record.expiresAt.toISOString(),
  };
  // The code is stored and its delivery requested in one transaction (outbox): a code nobody
  // was told about, or a delivery of a code that was never stored, cannot happen.
  await withTransaction({
    client: deps.client,
    fn: async (session) => {
      await deps.otps.replace(record, session);
      await deps.events.emit(AUTH_EVENTS.OtpRequested, user.tenantId, user.id, data, { session });
    },
  });
  return true;
}

export async function verifyOtp(_: unknown, args: { input: unknown }, ctx: AuthContext): Promise<boolean> {
  const caller = requireAuthenticated(ctx);
  const input = validateInput(verifyInput, args.input);
  const { deps } = ctx;
  const record = await deps.otps.findLatestLive(caller.id, input.purpose);
  if (record === null) throw authError(AUTH_ERRORS.OtpInvalid, 'Invalid code');
  const now = deps.clock.now();
  const matches = otpCodesEqual(record.codeHash, hashOtpCode(input.code, deps.otpSecret, record.id));
  const verdict = judgeOtpAttempt(record, matches, now);
  switch (verdict) {
    case 'consumed':
      throw authError(AUTH_ERRORS.OtpInvalid, 'Invalid code');
    case 'expired':
      throw authError(AUTH_ERRORS.OtpExpired, 'Code expired; request a new one');
    case 'attempts_exceeded':
      throw authError(AUTH_ERRORS.OtpAttemptsExceeded, 'Too many attempts; request a new code');
    case 'mismatch': {
      await deps.otps.recordFailedAttempt(record.id);
      const left = Math.max(0, record.maxAttempts - record.attempts - 1);
      throw authError(AUTH_ERRORS.OtpInvalid, 'Invalid code', { attemptsLeft: left });
    }
    case 'ok':
      break;
  }
  // Conditional consume: two concurrent submissions of the right code, one wins.
  if (!(await deps.otps.consume(record.id, new Date(now)))) throw authError(AUTH_ERRORS.OtpInvalid, 'Invalid code');
  if (input.purpose === EMAIL_VERIFICATION_PURPOSE && record.channel === 'EMAIL') await deps.users.markEmailVerified(caller.id, new Date(now));
  return true;
}
