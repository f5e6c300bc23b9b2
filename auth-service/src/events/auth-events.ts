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
  /**
   * A successful login from an address not among the account's own (its registration address and
   * successful logins within `knownAddressDays`): data `{ sessionId, clientAddress, at }`.
   */
  LoginNewDevice: 'auth.login.new_device',
  /** `changePassword` succeeded: data `{ at, clientAddress }`, never a password or hash. */
  PasswordChanged: 'auth.password_changed',
  /**
   * Failed attempts locked an existing account: data `{ scope, retryAfterSeconds, clientAddress }`,
   * scope `account-address` (this address is refused) or `account` (unfamiliar addresses slowed);
   * once per lock period, not per refused attempt.
   */
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

export interface UserRegisteredData {
  email: string;
  phone: string | null;
  displayName: string | null;
  status: string;
  referralCode: string | null;
  referredBy: string | null;
  createdAt: string;
}

export interface UserLoggedInData {
  sessionId: string;
  clientAddress: string | null;
  /** The address was not among the account's own; `auth.login.new_device` went out as well. */
  newDevice: boolean;
}

export interface LoginNewDeviceData {
  sessionId: string;
  clientAddress: string;
  /** ISO 8601. */
  at: string;
}

export interface PasswordChangedData {
  /** ISO 8601. */
  at: string;
  clientAddress: string | null;
}

export interface AccountLockedData {
  scope: 'account-address' | 'account';
  retryAfterSeconds: number;
  clientAddress: string | null;
}
