import { type } from 'arktype';
import { AccessEngine, AccessEngineError, can, requireAuthenticated, requireCallerTenant, requirePermission, type RoleInput } from 'core-service/access';
import { validateInput } from 'core-service';
import type { AuthContext } from '../deps.js';
import { canAssignRole, tenantRoleProblems } from '../domain/role-rules.js';
import { AUTH_ERRORS } from '../error-codes.js';
import { AUTH_EVENTS } from '../events/auth-events.js';
import type { RoleRecord } from '../store/roles-store.js';
import { authError } from './errors.js';
import { toUserView, type UserView } from './user-shape.js';

const roleInput = type({
  name: /^[a-z][a-z0-9_-]{0,39}$/,
  permissions: 'string[]',
  'denies?': 'string[] | null',
  'inherits?': 'string[] | null',
});

/** Holds `*:*:*`: a platform operator, whose reach is not one tenant. */
export function isPlatformOperator(ctx: AuthContext): boolean {
  return can(ctx, 'tenant:create:*');
}

/** The caller's tenant; FORBIDDEN for a caller without one. */
/** The caller's tenant, through the platform's one tenant guard (core-service/access). */
export function callerTenant(ctx: AuthContext): string {
  return requireCallerTenant(ctx).tenantId;
}

export interface RoleView {
  name: string;
  permissions: string[];
  denies: string[];
  inherits: string[];
  tenantSpecific: boolean;
}

function toRoleView(record: RoleRecord): RoleView {
  return { name: record.name, permissions: record.permissions, denies: record.denies, inherits: record.inherits, tenantSpecific: record.tenantId !== null };
}

export async function roles(_: unknown, __: unknown, ctx: AuthContext): Promise<RoleView[]> {
  const tenantId = callerTenant(ctx);
  requirePermission(ctx, 'role:read:tenant', { tenantId });
  return (await ctx.deps.roles.listForTenant(tenantId)).map(toRoleView);
}

export async function upsertRole(_: unknown, args: { input: unknown }, ctx: AuthContext): Promise<RoleView> {
  const tenantId = callerTenant(ctx);
  requirePermission(ctx, 'role:update:tenant', { tenantId });
  const raw = validateInput(roleInput, args.input);
  const input: RoleInput = { name: raw.name, permissions: raw.permissions, denies: raw.denies ?? [], inherits: raw.inherits ?? [] };
  const { deps } = ctx;
  const problems = safeRoleProblems(input, isPlatformOperator(ctx));
  if (problems.length > 0) throw authError(AUTH_ERRORS.RoleNotAllowed, 'Role not allowed', { problems });

  // Proven against the tenant's policy before storing: a cycle or unknown parent is refused
  // here instead of breaking every later token of the tenant.
  const candidate = await deps.policies.engineFor(tenantId);
  try {
    new AccessEngine({ policy: candidate.toJSON() }).addRole(input);
  } catch (error) {
    if (error instanceof AccessEngineError) throw authError(AUTH_ERRORS.InvalidRole, error.message);
    throw error;
  }
  const record = await deps.roles.upsert(tenantId, input, new Date(deps.clock.now()), ctx.user?.id ?? null);
  await deps.roleInvalidation.publish(tenantId);
  await deps.events.emit(AUTH_EVENTS.RoleUpdated, tenantId, ctx.user?.id ?? null, { role: input.name, after: { permissions: input.permissions, denies: input.denies, inherits: input.inherits } });
  return toRoleView(record);
}

function safeRoleProblems(input: RoleInput, operator: boolean): string[] {
  try {
    return tenantRoleProblems(input, operator);
  } catch (error) {
    if (error instanceof AccessEngineError) return [error.message];
    throw error;
  }
}

async function changeRole(ctx: AuthContext, userId: string, role: string, change: 'assign' | 'revoke'): Promise<UserView> {
  requireAuthenticated(ctx);
  const { deps } = ctx;
  const target = await deps.users.findById(userId);
  if (target === null) throw authError(AUTH_ERRORS.UserNotFound, 'User not found');
  // The target's tenant decides: an admin's `*:*:tenant` covers only users of its own tenant.
  requirePermission(ctx, `role:${change}:tenant`, { tenantId: target.tenantId, ownerId: target.id });
  if (!canAssignRole(role, isPlatformOperator(ctx))) throw authError(AUTH_ERRORS.RoleNotAllowed, `Role "${role}" needs a platform operator`);
  const engine = await deps.policies.engineFor(target.tenantId);
  if (change === 'assign' && engine.getRole(role) === undefined) throw authError(AUTH_ERRORS.RoleNotFound, `Unknown role "${role}"`);

  const now = new Date(deps.clock.now());
  const updated = change === 'assign' ? await deps.users.addRole(userId, role, now) : await deps.users.removeRole(userId, role, now);
  if (updated === null) throw authError(AUTH_ERRORS.UserNotFound, 'User not found');
  // Open sessions pick the change up at their next refresh (tokens are minted from the user's
  // roles then); a new login sees it at once.
  await deps.events.emit(AUTH_EVENTS.UserRoleChanged, updated.tenantId, updated.id, { role, change, roles: updated.roles, by: ctx.user?.id ?? null });
  return toUserView(updated);
}

export function assignRole(_: unknown, args: { userId: string; role: string }, ctx: AuthContext): Promise<UserView> {
  return changeRole(ctx, args.userId, args.role, 'assign');
}

export function revokeRole(_: unknown, args: { userId: string; role: string }, ctx: AuthContext): Promise<UserView> {
  return changeRole(ctx, args.userId, args.role, 'revoke');
}
