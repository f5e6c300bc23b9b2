import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BSON } from 'mongodb';
import { badUserInput } from './invalid-input.js';

const CURSOR_VERSION = 'v1';

/**
 * Cursors are signed so a client can neither forge a position (e.g. an `_id` it should not
 * know) nor carry a cursor to another collection or sort. The secret is per process unless
 * configured; every instance behind one gateway must share it (`PAGINATION_CURSOR_SECRET` or
 * `configureCursorSecret`), or a page fetched from one instance cannot be continued on another.
 */
let cursorSecret: Buffer | undefined;

export function configureCursorSecret(secret: string | Buffer): void {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (bytes.length < 16) throw new Error('the pagination cursor secret must be at least 16 bytes');
  cursorSecret = bytes;
}

function currentSecret(): Buffer {
  if (cursorSecret === undefined) {
    const fromEnv = process.env['PAGINATION_CURSOR_SECRET'];
    if (fromEnv !== undefined && fromEnv !== '') configureCursorSecret(fromEnv);
    else cursorSecret = randomBytes(32);
  }
  return cursorSecret!;
}

function sign(payload: string, queryShape: string, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(queryShape).update('\n').update(payload).digest();
}

/**
 * `v1.<EJSON of the key values, base64url>.<HMAC, base64url>`. Canonical EJSON keeps the BSON
 * types (ObjectId, Date, Long, Decimal128), so the range query compares like with like.
 * `queryShape` names the collection and sort the values belong to; it is signed, not stored.
 */
export function encodeCursor(values: readonly unknown[], queryShape: string, secret = currentSecret()): string {
  const payload = Buffer.from(BSON.EJSON.stringify(values, { relaxed: false }), 'utf8').toString('base64url');
  return `${CURSOR_VERSION}.${payload}.${sign(payload, queryShape, secret).toString('base64url')}`;
}

/** The key values of a cursor made by `encodeCursor` for the same query shape; BAD_USER_INPUT otherwise. */
export function decodeCursor(cursor: string, queryShape: string, expectedLength: number, secret = currentSecret()): unknown[] {
  const invalid = () => badUserInput('invalid pagination cursor', { argument: 'cursor' });
  if (typeof cursor !== 'string') throw invalid();
  const [version, payload, signature, ...rest] = cursor.split('.');
  if (version !== CURSOR_VERSION || payload === undefined || signature === undefined || rest.length > 0) throw invalid();
  const expected = sign(payload, queryShape, secret);
  const given = Buffer.from(signature, 'base64url');
  // Checked before parsing: nothing a client wrote is interpreted until it is known to be ours.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let values: unknown;
  try {
    values = BSON.EJSON.parse(Buffer.from(payload, 'base64url').toString('utf8'), { relaxed: false });
  } catch {
    throw invalid();
  }
  if (!Array.isArray(values) || values.length !== expectedLength) throw invalid();
  return values;
}
