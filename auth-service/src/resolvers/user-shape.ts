import type { UserRecord, UserStatus } from '../domain/user.js';

/** A user as the schema exposes it: never the password hash, grants or internal fields. */
export interface UserView {
  id: string;
  tenantId: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
  roles: string[];
  status: 'ACTIVE' | 'SUSPENDED' | 'LOCKED';
  emailVerified: boolean;
  referralCode: string | null;
  createdAt: Date;
}

export function toUserView(user: UserRecord): UserView {
  return {
    id: user.id,
    tenantId: user.tenantId,
    email: user.email,
    phone: user.phone,
    displayName: user.displayName,
    roles: [...user.roles],
    status: user.status.toUpperCase() as UserView['status'],
    emailVerified: user.emailVerifiedAt !== null && user.emailVerifiedAt !== undefined,
    referralCode: user.referralCode ?? null,
    createdAt: user.createdAt,
  };
}

export function statusFromGraph(status: string): UserStatus {
  return status.toLowerCase() as UserStatus;
}
