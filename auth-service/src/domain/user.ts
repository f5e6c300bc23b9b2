/** Account states. `locked` is set by an administrator; the automatic login lockout lives in Redis and expires. */
export const USER_STATUSES = ['active', 'suspended', 'locked'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export interface UserRecord {
  id: string;
  tenantId: string;
  email: string;
  emailNormalized: string;
  phone: string | null;
  displayName: string | null;
  passwordHash: string;
  roles: string[];
  /** Per-user allows and denies on top of the roles (ACL). */
  grants: string[];
  denies: string[];
  status: UserStatus;
  emailVerifiedAt: Date | null;
  /** The user's own code for inviting others (accounts created before referrals have none). */
  referralCode?: string;
  /** Who invited the user: the owner of the referral code given at registration. */
  referredBy?: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Login and refresh are open to active accounts only. */
export function canAuthenticate(status: UserStatus): boolean {
  return status === 'active';
}
