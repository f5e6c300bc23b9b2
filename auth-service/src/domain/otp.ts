import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * One-time codes: short numeric codes (what people can type from an SMS), stored as an HMAC
 * under a server secret. A plain hash of a 6-digit code would fall to a million guesses offline;
 * the keyed hash makes a database leak useless without the secret. Online guessing is bounded by
 * the attempt limit and the expiry.
 */
export const OTP_CHANNELS = ['EMAIL', 'SMS'] as const;
export type OtpChannel = (typeof OTP_CHANNELS)[number];

export interface OtpRecordState {
  expiresAt: Date;
  attempts: number;
  maxAttempts: number;
  consumedAt: Date | null;
}

export type OtpVerdict = 'ok' | 'expired' | 'attempts_exceeded' | 'consumed' | 'mismatch';

export function generateOtpCode(length = 6): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(randomInt(10));
  return code;
}

export function hashOtpCode(code: string, secret: string, bindTo: string): string {
  // Bound to the OTP record's id so a hash copied to another record does not verify there.
  return createHmac('sha256', secret).update(bindTo).update('\n').update(code).digest('base64url');
}

/** Decides a verification attempt from the record and whether the code matched (pure). */
export function judgeOtpAttempt(record: OtpRecordState, codeMatches: boolean, now: number): OtpVerdict {
  if (record.consumedAt !== null) return 'consumed';
  if (record.expiresAt.getTime() <= now) return 'expired';
  if (record.attempts >= record.maxAttempts) return 'attempts_exceeded';
  return codeMatches ? 'ok' : 'mismatch';
}

export function otpCodesEqual(expectedHash: string, actualHash: string): boolean {
  const a = Buffer.from(expectedHash);
  const b = Buffer.from(actualHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
