import { CORE_ERRORS, createServiceError } from 'core-service';
import { requireAuthenticated, requirePermission } from 'core-service/access';
import type { NotificationContext } from './context.js';

/** The caller and its tenant, after checking `permission` on `ownerId` (or the tenant). */
export function authorize(ctx: NotificationContext, permission: string, ownerId?: string): { userId: string; tenantId: string } {
  const user = requireAuthenticated(ctx);
  if (user.tenantId === null) throw createServiceError(CORE_ERRORS.Forbidden, 'The caller belongs to no tenant');
  requirePermission(ctx, permission, ownerId === undefined ? { tenantId: user.tenantId } : { ownerId, tenantId: user.tenantId });
  return { userId: user.id, tenantId: user.tenantId };
}
