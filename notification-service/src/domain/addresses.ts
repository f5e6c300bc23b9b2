import { isValidPhoneNumber, parsePhoneNumberWithError } from 'libphonenumber-js';
import { NOTIFICATION_ERRORS, NotificationError } from './errors.js';

/**
 * Addresses are checked where they enter (preferences, test sends), so a delivery never starts
 * toward something no provider would take. Email: one `@`, a dotted domain, no spaces or angle
 * brackets (header injection), at most 254 characters — what SMTP servers accept, not the full
 * RFC 5322 grammar. Phones: E.164 as the libphonenumber metadata knows it.
 */
const EMAIL = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+\.[^\s@<>(),;:"\\[\]]{2,}$/;

export function normalizeEmailAddress(value: string): string {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw new NotificationError(NOTIFICATION_ERRORS.InvalidEmail, 'Not a valid email address', { field: 'email' });
  return email;
}

export function normalizePhoneNumber(value: string): string {
  const phone = value.trim();
  try {
    if (!phone.startsWith('+') || !isValidPhoneNumber(phone)) throw new Error('invalid');
    return parsePhoneNumberWithError(phone).number;
  } catch {
    throw new NotificationError(NOTIFICATION_ERRORS.InvalidPhone, 'Not a valid phone number; use the international form (+4915112345678)', { field: 'phone' });
  }
}

/** A BCP 47 tag in canonical form (`de-at` → `de-AT`). */
export function normalizeLocale(value: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(value.trim());
    if (canonical === undefined || canonical.length > 35) throw new Error('invalid');
    return canonical;
  } catch {
    throw new NotificationError(NOTIFICATION_ERRORS.InvalidLocale, 'Not a valid locale tag (en, de-AT)', { field: 'locale' });
  }
}
