import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing with Node's scrypt: memory-hard, built in (argon2 needs a native addon and
 * the gain over tuned scrypt is small), per-user 16-byte salt, parameters stored in the hash so
 * the cost can be raised later and old hashes still verify (and are upgraded on next login).
 *
 * Cost: N = 2^15, r = 8, p = 1 (32 MiB per hash). Measured by `npm run bench -w auth-service`
 * on the shared 2-vCPU dev machine under load average 11–15 (three runs): 2^14 → 121–260 ms,
 * 2^15 → 373–896 ms, 2^16 → 730–1506 ms, 2^17 → 1163–2677 ms per hash. OWASP's
 * scrypt minimum is N = 2^17 with r = 8 for one core; 2^15 keeps a login storm from exhausting
 * memory (libuv's 4 threads × 32 MiB) and latency on small instances, and is the cost the
 * login figures are measured with. Raise `logN` in the `security` config on production
 * hardware; stored hashes carry their parameters and are upgraded at the next login.
 *
 * Format: `scrypt$<logN>$<r>$<p>$<salt base64url>$<hash base64url>`.
 */
export interface ScryptCost {
  logN: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_COST: ScryptCost = { logN: 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.logN;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.logN, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export interface PasswordVerification {
  valid: boolean;
  /** The stored hash used weaker parameters than `current`: rehash after a successful login. */
  needsRehash: boolean;
}

/** Constant-time comparison of the derived key; malformed stored hashes never verify. */
export async function verifyPassword(password: string, stored: string, current: ScryptCost = DEFAULT_SCRYPT_COST): Promise<PasswordVerification> {
  const parsed = parseHash(stored);
  if (parsed === null) return { valid: false, needsRehash: false };
  const key = await derive(password, parsed.salt, parsed.cost);
  const valid = key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
  const weaker = parsed.cost.logN < current.logN || parsed.cost.r < current.r || parsed.cost.p < current.p;
  return { valid, needsRehash: valid && weaker };
}

/**
 * A hash no password matches, computed once per cost: verifying against it when the email is
 * unknown makes "no such user" take as long as "wrong password".
 */
const dummyHashes = new Map<string, Promise<string>>();
export function dummyPasswordHash(cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const key = `${cost.logN}/${cost.r}/${cost.p}`;
  let hash = dummyHashes.get(key);
  if (hash === undefined) {
    hash = hashPassword(randomBytes(24).toString('base64url'), cost);
    dummyHashes.set(key, hash);
  }
  return hash;
}

function parseHash(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [logN, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  // Bounds keep a tampered record from asking for gigabytes of memory.
  if (![logN, r, p].every(Number.isInteger) || logN < 10 || logN > 20 || r < 1 || r > 32 || p < 1 || p > 16) return null;
  return { cost: { logN, r, p }, salt: Buffer.from(parts[4] as string, 'base64url'), key: Buffer.from(parts[5] as string, 'base64url') };
}
