/**
 * Password rules, after NIST SP 800-63B: length matters, composition rules do not; refuse the
 * passwords attackers try first. The list is short on purpose (the most common leaked
 * passwords that meet the length rule); a breached-password service would be the next step.
 */
export const PASSWORD_MIN_LENGTH = 10;
// scrypt hashes any length in the same time, but megabyte "passwords" still cost parsing and
// transport; 256 characters is far beyond any passphrase.
export const PASSWORD_MAX_LENGTH = 256;

const COMMON_PASSWORDS = new Set([
  '1234567890',
  '12345678910',
  '0123456789',
  '1111111111',
  '0000000000',
  'qwertyuiop',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'iloveyou12',
  'qwerty1234',
  'qwerty12345',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'abcdefghij',
  'abc1234567',
  'letmein123',
  'welcome123',
  'football12',
  'baseball12',
  'sunshine12',
  'princess12',
  'dragon1234',
  'monkey1234',
  'trustno1234',
  'administrator',
  'changeme123',
  'superman123',
  'starwars12',
  'whatever12',
  'asdfghjkl1',
  'zxcvbnm123',
  'qazwsxedc1',
  'michael123',
  'jennifer12',
  'computer12',
  'internet12',
  'passwordpassword',
  'aaaaaaaaaa',
  'loveyou123',
]);

export type PasswordProblem = 'too_short' | 'too_long' | 'too_common' | 'contains_email';

/** Problems with a proposed password; empty when it is acceptable. */
export function checkPasswordPolicy(password: string, context: { email?: string | null } = {}): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  // Length in code points, so an emoji counts as one character, as the user sees it.
  // oxlint-disable-next-line typescript/no-misused-spread -- NIST SP 800-63B counts each Unicode code point as one character
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push('too_short');
  if (length > PASSWORD_MAX_LENGTH) problems.push('too_long');
  if (COMMON_PASSWORDS.has(password.toLowerCase())) problems.push('too_common');
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local !== undefined && local.length >= 4 && password.toLowerCase().includes(local)) problems.push('contains_email');
  return problems;
}
