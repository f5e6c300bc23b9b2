import type { SealedOtpCode } from 'core-service';
/**
 * What the auth-service publishes (integration events on the brand's stream). Consumers:
 * notification-service (`auth.otp.requested`, welcome mails), audit, the gateway's push layer.
 */
export const AUTH_EVENTS = {
  UserRegistered: 'user.registered',
  UserLoggedIn: 'user.logged_in',
  /** Audit of failed attempts; carries the reason class and the client address, never the password. */
  UserLoginFailed: 'user.login_failed',
  UserRoleChanged: 'user.role_changed',
  UserSuspended: 'user.suspended',
  UserStatusChanged: 'user.status_changed',
  /** A user's state as of `updatedAt`, sent in answer to `users.backfill_requested` (see user-snapshot.ts). */
  UserSnapshot: 'user.snapshot',
  SessionRevoked: 'auth.session_revoked',
  /** Delivery request for a one-time code, sealed for the deliverer (core-service `openOtpCode`); never in clear. */
  OtpRequested: 'auth.otp.requested',
  /** A successful login from an address the account has not used before (and it has used others). */
  LoginNewDevice: 'auth.login.new_device',
  /** `changePassword` succeeded: data `{ at, clientAddress }`, never a password or hash. */
  PasswordChanged: 'auth.password_changed',
  /** Failed attempts locked the account for an address; once per lock period. */
  AccountLocked: 'auth.account_locked',
  RoleUpdated: 'auth.role_updated',
  TenantCreated: 'auth.tenant_created',
} as const;

export interface OtpRequestedData {
  otpId: string;
  channel: 'EMAIL' | 'SMS';
  purpose: string;
  destination: string | null;
  /** The code, readable only with OTP_DELIVERY_KEY (AES-256-GCM bound to otpId). */
  sealedCode: SealedOtpCode;
  expiresAt: string;
}
