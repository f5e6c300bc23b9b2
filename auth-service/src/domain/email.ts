/**
 * The comparison form of an email: trimmed, Unicode-normalised, lower-cased. Uniqueness and
 * lookups use it; the address as typed is kept for display and delivery.
 */
export function normalizeEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

// Deliberately loose: the real check is the verification OTP; this only rejects obvious junk.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_SHAPE.test(email.trim());
}
