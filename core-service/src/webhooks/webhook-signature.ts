import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Webhook-Signature';
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Signs `timestamp + '.' + body`. The timestamp inside the MAC stops a captured request from
 * being replayed later (receivers reject stale timestamps); the same scheme as Stripe's, so
 * receivers already know how to verify it.
 */
export function signWebhookPayload(body: string, secret: string, timestampSeconds: number): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

export function buildWebhookSignatureHeader(body: string, secret: string, timestampSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${timestampSeconds},v1=${signWebhookPayload(body, secret, timestampSeconds)}`;
}

/**
 * For receivers: true when `header` carries a v1 signature of `body` made with `secret` and
 * a timestamp within `toleranceSec` of now. Several v1 entries are accepted (secret rotation).
 * Comparison is constant-time so the signature cannot be guessed byte by byte from timings.
 * `body` must be the raw request bytes, not a re-serialized parse.
 */
export function verifyWebhookSignature(
  header: string | null | undefined,
  body: string | Buffer,
  secret: string,
  toleranceSec: number = DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSec) return false;
  const expected = Buffer.from(signWebhookPayload(typeof body === 'string' ? body : body.toString('utf8'), secret, timestamp), 'hex');
  let matched = false;
  for (const candidate of signatures) {
    // every candidate is compared (no early exit) so timing does not reveal which one matched
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
  }
  return matched;
}
