import { requireAuthenticated, requirePermission } from 'core-service/access';
import { CORE_ERRORS, GraphQLError, readSystemHealth, verifyAuditChain, type AuditEntryDocument, type AuditLogFilter, type AuditCategory, type AuditOutcome, type SystemHealth } from 'core-service';
import type { AuthContext } from '../deps.js';
import { callerTenant } from './roles.js';

/**
 * Platform operations served by auth-service for every service: config (core-service
 * ConfigAdmin over the catalog each service publishes) and the audit log. Config is platform
 * wide; it is granted by `config:*:tenant`, which only `admin` and `system` hold. A deployment
 * hosting several tenants' admins denies `config:*:tenant` to the tenant admin role.
 */
function changedBy(ctx: AuthContext) {
  const user = requireAuthenticated(ctx);
  return { actor: { type: 'user' as const, id: user.id, sessionId: user.sessionId }, tenantId: callerTenant(ctx) };
}

export async function serviceConfigs(_: unknown, args: { service?: string | null }, ctx: AuthContext) {
  requirePermission(ctx, 'config:read:tenant', { tenantId: callerTenant(ctx) });
  return ctx.deps.configAdmin.list(args.service ?? undefined);
}

export async function setServiceConfig(_: unknown, args: { service: string; key: string; value: unknown }, ctx: AuthContext) {
  requirePermission(ctx, 'config:update:tenant', { tenantId: callerTenant(ctx) });
  return ctx.deps.configAdmin.set(args.service, args.key, args.value, changedBy(ctx));
}

export async function resetServiceConfig(_: unknown, args: { service: string; key: string }, ctx: AuthContext) {
  requirePermission(ctx, 'config:update:tenant', { tenantId: callerTenant(ctx) });
  return ctx.deps.configAdmin.reset(args.service, args.key, changedBy(ctx));
}

interface AuditFilterInput {
  category?: string | null;
  action?: string | null;
  actorId?: string | null;
  resourceType?: string | null;
  resourceId?: string | null;
  outcome?: string | null;
  from?: Date | null;
  to?: Date | null;
  tenantId?: string | null;
}

/** The tenant whose log is read: the caller's, or another one for a platform operator. */
function auditTenant(ctx: AuthContext, requested: string | null | undefined): string {
  const tenantId = requested ?? callerTenant(ctx);
  requirePermission(ctx, 'audit:read:tenant', { tenantId });
  return tenantId;
}

export async function auditLog(_: unknown, args: { first?: number | null; after?: string | null; filter?: AuditFilterInput | null }, ctx: AuthContext) {
  const filter = args.filter ?? {};
  const tenantId = auditTenant(ctx, filter.tenantId);
  if (filter.from != null && filter.to != null && filter.from.getTime() >= filter.to.getTime()) {
    throw new GraphQLError(CORE_ERRORS.BadUserInput, { argument: 'filter' }, { message: "'from' must be before 'to'" });
  }
  const query: AuditLogFilter = {
    ...(filter.category != null ? { category: filter.category.toLowerCase() as AuditCategory } : {}),
    ...(filter.outcome != null ? { outcome: filter.outcome.toLowerCase() as AuditOutcome } : {}),
    ...(filter.action != null ? { action: filter.action } : {}),
    ...(filter.actorId != null ? { actorId: filter.actorId } : {}),
    ...(filter.resourceType != null ? { resourceType: filter.resourceType } : {}),
    ...(filter.resourceId != null ? { resourceId: filter.resourceId } : {}),
    ...(filter.from != null ? { from: filter.from } : {}),
    ...(filter.to != null ? { to: filter.to } : {}),
  };
  const page = await ctx.deps.audit.page(tenantId, query, {
    ...(args.first != null ? { first: args.first } : {}),
    ...(args.after != null ? { after: args.after } : {}),
  });
  return {
    nodes: page.nodes.map(toAuditEntryView),
    edges: page.edges.map((edge) => ({ cursor: edge.cursor, node: toAuditEntryView(edge.node) })),
    pageInfo: page.pageInfo,
    totalCount: page.totalCount ?? page.nodes.length,
  };
}

export async function verifyAuditChainQuery(_: unknown, args: { tenantId?: string | null }, ctx: AuthContext) {
  return verifyAuditChain(ctx.deps.coreDb, auditTenant(ctx, args.tenantId));
}

/**
 * Every instance of every service as it last reported itself (core-service lifecycle
 * `reportHealth`): platform-wide, like config, so granted by `health:read:tenant`, which only
 * `admin` and `system` hold.
 */
export async function systemHealth(_: unknown, __: unknown, ctx: AuthContext) {
  requirePermission(ctx, 'health:read:tenant', { tenantId: callerTenant(ctx) });
  const health = await readSystemHealth({ redis: ctx.deps.redis, brand: ctx.deps.brand, self: () => ctx.deps.health.collect() });
  return toSystemHealthView(health);
}

function toSystemHealthView(health: SystemHealth) {
  const status = (value: string) => value.toUpperCase();
  return {
    status: status(health.status),
    problems: health.problems,
    checkedAt: health.checkedAt,
    services: health.services.map((service) => ({
      ...service,
      status: status(service.status),
      instances: service.instances.map((instance) => ({
        ...instance,
        id: instance.instance,
        startedAt: new Date(instance.startedAt),
        reportedAt: new Date(instance.reportedAt),
        breakers: instance.breakers.map((breaker) => ({ name: breaker.name, state: breaker.state.replace('-', '_').toUpperCase() })),
      })),
    })),
  };
}

function toAuditEntryView(entry: AuditEntryDocument) {
  return {
    id: entry._id.toHexString(),
    tenantId: entry.tenantId,
    at: entry.at,
    service: entry.service,
    category: entry.category.toUpperCase(),
    action: entry.action,
    outcome: entry.outcome.toUpperCase(),
    actor: { type: entry.actor.type.toUpperCase(), id: entry.actor.id, sessionId: entry.actor.sessionId ?? null },
    resource: entry.resource,
    before: entry.before ?? null,
    after: entry.after ?? null,
    data: entry.data ?? null,
    correlationId: entry.correlationId,
    traceId: entry.traceId,
    seq: entry.seq ?? null,
    prevHash: entry.prevHash ?? null,
    hash: entry.hash ?? null,
  };
}
