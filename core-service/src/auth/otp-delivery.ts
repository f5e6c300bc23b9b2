import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A one-time code sealed for the service that delivers it (notification-service): AES-256-GCM
 * under `OTP_DELIVERY_KEY`, which only auth-service and the deliverer hold, bound to the OTP's
 * id as additional data. The `auth.otp.requested` event carries this instead of the code, so the
 * outbox, the Redis stream, dead letters and anyone reading them see no usable code; the code
 * is stored nowhere in clear (auth-service keeps only its keyed hash).
 */
export interface SealedOtpCode {
  alg: 'A256GCM';
  /** base64url, 12 bytes. */
  iv: string;
  /** base64url ciphertext of the code. */
  data: string;
  /** base64url GCM tag, 16 bytes. */
  tag: string;
}

const KEY_BYTES = 32;

/** The key from its configured text: 64 hex characters, or base64/base64url of 32 bytes. */
export function parseOtpDeliveryKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
  // Never echo the value, not even its length beyond what the rule says.
  if (key.length !== KEY_BYTES) throw new Error('OTP_DELIVERY_KEY must be 32 bytes: 64 hex characters or base64 of 32 bytes');
  return key;
}

export function sealOtpCode(code: string, key: Buffer, otpId: string): SealedOtpCode {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(otpId, 'utf8'));
  const data = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
  return { alg: 'A256GCM', iv: iv.toString('base64url'), data: data.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
}

/** The code, for the deliverer; throws when the key, the id or any byte is not the sealer's. */
export function openOtpCode(sealed: SealedOtpCode, key: Buffer, otpId: string): string {
  if (sealed.alg !== 'A256GCM') throw new Error(`unsupported sealed OTP algorithm ${String(sealed.alg)}`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
  decipher.setAAD(Buffer.from(otpId, 'utf8'));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64url')), decipher.final()]).toString('utf8');
}
