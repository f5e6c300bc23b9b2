import { requireAuthenticated, requirePermission } from 'core-service/access';
import { withTransaction } from 'core-service';
import type { AuthContext } from '../deps.js';
import { AUTH_ERRORS } from '../error-codes.js';
import { AUTH_EVENTS } from '../events/auth-events.js';
import { authError } from './errors.js';
import { markSessionsRevoked } from './issue-session.js';
import { isPlatformOperator } from './roles.js';
import { statusFromGraph, toUserView, type UserView } from './user-shape.js';

export async function me(_: unknown, __: unknown, ctx: AuthContext): Promise<UserView | null> {
  if (ctx.user === null) return null;
  const user = await ctx.userLoader.load(ctx.user.id);
  return user === null ? null : toUserView(user);
}

export async function user(_: unknown, args: { id: string }, ctx: AuthContext): Promise<UserView | null> {
  requireAuthenticated(ctx);
  const found = await ctx.userLoader.load(args.id);
  if (found === null) return null;
  // Checked against the found user's tenant: support/admin see their own tenant only.
  requirePermission(ctx, 'user:read:*', { tenantId: found.tenantId, ownerId: found.id });
  return toUserView(found);
}

interface UsersArgs {
  first?: number | null;
  after?: string | null;
  filter?: { status?: string | null; role?: string | null; emailPrefix?: string | null; tenantId?: string | null } | null;
}

export async function users(_: unknown, args: UsersArgs, ctx: AuthContext) {
  const caller = requireAuthenticated(ctx);
  const filter = args.filter ?? {};
  const tenantId = filter.tenantId ?? caller.tenantId;
  if (tenantId === null) throw authError(AUTH_ERRORS.TenantNotFound, 'No tenant to list');
  requirePermission(ctx, 'user:list:tenant', { tenantId });
  const page = await ctx.deps.users.list(
    tenantId,
    {
      status: filter.status ? statusFromGraph(filter.status) : undefined,
      role: filter.role ?? undefined,
      emailPrefix: filter.emailPrefix ?? undefined,
    },
    { ...(args.first != null ? { first: args.first } : {}), ...(args.after != null ? { after: args.after } : {}) },
  );
  return {
    nodes: page.nodes.map(toUserView),
    edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toUserView(edge.node) })),
    pageInfo: page.pageInfo,
    totalCount: page.totalCount ?? page.nodes.length,
  };
}

export async function setUserStatus(_: unknown, args: { userId: string; status: string }, ctx: AuthContext): Promise<UserView> {
  requireAuthenticated(ctx);
  // The schema's enum already limits the value to ACTIVE / SUSPENDED / LOCKED.
  const status = statusFromGraph(args.status);
  const { deps } = ctx;
  const target = await deps.users.findById(args.userId);
  if (target === null) throw authError(AUTH_ERRORS.UserNotFound, 'User not found');
  requirePermission(ctx, 'user:update:tenant', { tenantId: target.tenantId, ownerId: target.id });
  // A tenant admin cannot suspend or lock a platform operator who happens to live in its tenant.
  if (target.roles.includes('system') && !isPlatformOperator(ctx)) throw authError(AUTH_ERRORS.RoleNotAllowed, 'Needs a platform operator');

  const now = new Date(deps.clock.now());
  const updated = await withTransaction({
    client: deps.client,
    fn: async (session) => {
      const result = await deps.users.setStatus(target.id, status, now, session);
      await deps.events.emit(AUTH_EVENTS.UserStatusChanged, target.tenantId, target.id, { from: target.status, to: status, updatedAt: now.toISOString() }, { session });
      if (status === 'suspended') await deps.events.emit(AUTH_EVENTS.UserSuspended, target.tenantId, target.id, { by: ctx.user?.id ?? null }, { session });
      return result;
    },
  });
  if (updated === null) throw authError(AUTH_ERRORS.UserNotFound, 'User not found');
  if (status !== 'active') {
    // Suspended or locked: every open session ends now, not when its access token expires.
    const reason = status === 'suspended' ? 'suspended' : 'admin';
    const revoked = await deps.sessions.revokeAllForUser(target.id, reason, now);
    await markSessionsRevoked(deps, revoked);
    for (const sessionId of revoked) await deps.events.emit(AUTH_EVENTS.SessionRevoked, target.tenantId, target.id, { sessionId, reason });
  }
  return toUserView(updated);
}

/**
 * The entity resolver. Every reference of one gateway fetch goes through the request's loader,
 * so N users cost one query. Callers see users of their own tenant only (platform operators: all).
 */
export async function resolveUserReference(reference: { id: string }, ctx: AuthContext): Promise<UserView | null> {
  const found = await ctx.userLoader.load(reference.id);
  if (found === null) return null;
  const caller = ctx.user;
  if (caller === null) return null;
  if (caller.tenantId !== found.tenantId && !isPlatformOperator(ctx)) return null;
  return toUserView(found);
}
