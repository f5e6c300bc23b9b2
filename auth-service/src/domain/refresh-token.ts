import { createHash, randomBytes } from 'node:crypto';

/**
 * Refresh tokens are 256 random bits, opaque to clients. Only their SHA-256 is stored: the
 * value has full entropy, so a fast hash is enough (a KDF protects low-entropy secrets), and a
 * database leak yields nothing presentable.
 */
export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Shape check before any lookup: 43 base64url characters. */
export function isWellFormedRefreshToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
