import type { RoleInput } from 'core-service/access';

/**
 * The platform's default roles, stored in MongoDB at start-up (only when missing, so an admin's
 * edits survive restarts) and loaded into access-engine.
 *
 * Targets carry the tenancy: `own` for the caller's things, `tenant` for anything in the caller's
 * tenant. `admin` gets `*:*:tenant`, so it can do everything inside its tenant and nothing
 * outside; only `system` (service accounts, platform operators) holds `*:*:*`.
 */
export const DEFAULT_ROLES: readonly RoleInput[] = [
  {
    name: 'user',
    permissions: [
      'user:read:own',
      'user:update:own',
      'wallet:read:own',
      'transaction:read:own',
      'transfer:create:own',
      'transfer:read:own',
      'withdrawal:create:own',
      'notification:read:own',
      'notification:update:own',
      'bonus:read:own',
      'bonus:claim:own',
      'otp:request:own',
    ],
  },
  {
    name: 'support',
    inherits: ['user'],
    permissions: ['user:read:tenant', 'wallet:read:tenant', 'transaction:read:tenant', 'transfer:read:tenant', 'notification:read:tenant'],
  },
  { name: 'admin', inherits: ['support'], permissions: ['*:*:tenant'] },
  { name: 'system', inherits: ['admin'], permissions: ['*:*:*'] },
];

export const DEFAULT_ROLE_NAMES = DEFAULT_ROLES.map((role) => role.name);

/** Role every new account gets. */
export const REGISTRATION_ROLE = 'user';

/** Roles only a caller holding `*:*:*` may assign or edit: they reach beyond one tenant. */
export const PLATFORM_ROLES: ReadonlySet<string> = new Set(['system']);
