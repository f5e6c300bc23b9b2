import { describe, expect, it } from 'vitest';
import { maskSensitivePaths } from '../../src/config/index.js';

describe('maskSensitivePaths', () => {
  it('masks paths written with or without the key, nested and wildcard, leaving the input untouched', () => {
    const value = { secret: 's', smtp: { password: 'p', host: 'h' }, providers: { a: { token: 't1' }, b: { token: 't2' } } };
    const masked = maskSensitivePaths('mail', value, ['mail.secret', 'smtp.password', 'providers.*.token', 'absent.path']);
    expect(masked).toEqual({ secret: '***', smtp: { password: '***', host: 'h' }, providers: { a: { token: '***' }, b: { token: '***' } } });
    expect(value.smtp.password).toBe('p');
  });

  it('masks the whole value when the key itself is sensitive', () => {
    expect(maskSensitivePaths('apiKey', 'k-123', ['apiKey'])).toBe('***');
  });
});
