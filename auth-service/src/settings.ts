import { type } from 'arktype';
import { registerServiceConfigDefaults } from 'core-service';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleSettings } from './domain/login-throttle-rules.js';
import { DEFAULT_SCRYPT_COST, type ScryptCost } from './domain/password-hash.js';

export const SERVICE_NAME = 'auth-service';

/** Tunables, stored in the config store under `auth-service`/`security` (env: `AUTH_SERVICE_SECURITY` as JSON). */
export interface AuthSettings {
  /** Absolute lifetime of a session (refresh-token family). Default 30 days. */
  refreshTokenTtlSeconds: number;
  loginThrottle: LoginThrottleSettings;
  otp: { ttlSeconds: number; maxAttempts: number; length: number };
  scrypt: ScryptCost;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  refreshTokenTtlSeconds: 30 * 24 * 3600,
  loginThrottle: DEFAULT_LOGIN_THROTTLE,
  otp: { ttlSeconds: 300, maxAttempts: 5, length: 6 },
  scrypt: DEFAULT_SCRYPT_COST,
};

/** The platform's audit log (core-service/audit), sealed and pruned by auth-service. */
export interface AuditSettings {
  retentionDays: number | null;
}

/** Seven years, the usual floor for financial records. */
export const DEFAULT_AUDIT_SETTINGS: AuditSettings = { retentionDays: 2_557 };
const auditSettings = type({ retentionDays: '1 <= number.integer <= 36500 | null' });

export function registerAuthConfigDefaults(): void {
  registerServiceConfigDefaults(SERVICE_NAME, {
    security: { value: DEFAULT_AUTH_SETTINGS, description: 'Session lifetime, login throttling, OTP and password hashing cost' },
    // Keys the OTP hashes; sensitive, so masked in every read that leaves the service.
    otpSecret: { value: '', sensitivePaths: ['otpSecret'], description: 'HMAC key for stored OTP codes (OTP_SECRET)' },
    audit: { value: DEFAULT_AUDIT_SETTINGS, schema: auditSettings as never, description: 'Audit log retention in days (null: kept forever); entries past it are pruned as a chain prefix' },
  });
}

/** Settings as given by a caller or the config store: any part of each group may be left out. */
export type AuthSettingsOverride = { [K in keyof AuthSettings]?: AuthSettings[K] extends object ? Partial<AuthSettings[K]> : AuthSettings[K] };

/** Deep enough merge for the two-level settings object. */
export function mergeSettings(base: AuthSettings, override: AuthSettingsOverride | undefined): AuthSettings {
  if (override === undefined) return base;
  return {
    refreshTokenTtlSeconds: override.refreshTokenTtlSeconds ?? base.refreshTokenTtlSeconds,
    loginThrottle: { ...base.loginThrottle, ...override.loginThrottle },
    otp: { ...base.otp, ...override.otp },
    scrypt: { ...base.scrypt, ...override.scrypt },
  };
}
