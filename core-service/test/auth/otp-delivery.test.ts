import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openOtpCode, parseOtpDeliveryKey, sealOtpCode } from '../../src/auth/otp-delivery.js';

describe('sealed one-time codes', () => {
  const key = parseOtpDeliveryKey(randomBytes(32).toString('hex'));

  it('the deliverer opens what auth sealed; the sealed form does not contain the code', () => {
    const sealed = sealOtpCode('482913', key, 'otp-1');
    expect(JSON.stringify(sealed)).not.toContain('482913');
    expect(openOtpCode(sealed, key, 'otp-1')).toBe('482913');
  });

  it('another key, another OTP id or a changed byte is refused', () => {
    const sealed = sealOtpCode('482913', key, 'otp-1');
    expect(() => openOtpCode(sealed, parseOtpDeliveryKey(randomBytes(32).toString('base64url')), 'otp-1')).toThrow();
    expect(() => openOtpCode(sealed, key, 'otp-2')).toThrow();
    const flipped = { ...sealed, data: Buffer.from(Buffer.from(sealed.data, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64url') };
    expect(() => openOtpCode(flipped, key, 'otp-1')).toThrow();
  });

  it('a key that is not 32 bytes is refused at start-up without echoing it', () => {
    expect(() => parseOtpDeliveryKey('too-short')).toThrow(/must be 32 bytes/);
    expect(() => parseOtpDeliveryKey('too-short')).not.toThrow(/too-short/);
  });
});
