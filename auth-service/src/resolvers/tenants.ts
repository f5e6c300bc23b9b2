import { type } from 'arktype';
import { requirePermission } from 'core-service/access';
import { validateInput } from 'core-service';
import type { AuthContext } from '../deps.js';
import { AUTH_ERRORS } from '../error-codes.js';
import { AUTH_EVENTS } from '../events/auth-events.js';
import type { TenantRecord } from '../store/tenants-store.js';
import { authError } from './errors.js';

const createTenantInput = type({ id: /^[a-zA-Z0-9][a-zA-Z0-9_-]{1,62}$/, name: 'string > 0' });

/** Platform operators only: `tenant:create:*` is in no tenant role, only in `system`'s `*:*:*`. */
export async function createTenant(_: unknown, args: { input: unknown }, ctx: AuthContext): Promise<TenantRecord> {
  requirePermission(ctx, 'tenant:create:*');
  const input = validateInput(createTenantInput, args.input);
  const record: TenantRecord = { id: input.id, name: input.name.trim(), createdAt: new Date(ctx.deps.clock.now()), createdBy: ctx.user?.id ?? null };
  if (!(await ctx.deps.tenants.create(record))) throw authError(AUTH_ERRORS.TenantExists, 'Tenant already exists');
  await ctx.deps.events.emit(AUTH_EVENTS.TenantCreated, record.id, ctx.user?.id ?? null, { name: record.name });
  return record;
}
