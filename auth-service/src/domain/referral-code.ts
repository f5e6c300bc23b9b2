import { randomInt } from 'node:crypto';

/** No 0/O or 1/I: codes are read aloud and typed by hand. */
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const LENGTH = 8;

/** A user's own referral code: 8 characters of a 32-letter alphabet (40 bits), unique per tenant by index. */
export function generateReferralCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i += 1) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

export function normalizeReferralCode(code: string): string {
  return code.trim().toUpperCase();
}
