import { requireAuthenticated, requirePermission } from 'core-service/access';
import { validateInput } from 'core-service';
import { type } from 'arktype';
import type { AuthContext } from '../deps.js';
import { normalizeEmail } from '../domain/email.js';

const throttleArgs = type({ email: 'string.email', 'address?': 'string.ip | null' });

export interface LoginThrottleView {
  email: string;
  accountFailures: number;
  slowed: boolean;
  knownAddresses: string[];
  address: { address: string; failures: number; lockedUntil: Date | null; accountFailures: number; accountLockedUntil: Date | null } | null;
}

/** Admins of the tenant see an account's failed-login state; the permission is the one that manages users. */
function tenantOf(ctx: AuthContext): string {
  const user = requireAuthenticated(ctx);
  requirePermission(ctx, 'user:update:tenant', { tenantId: user.tenantId ?? '' });
  return user.tenantId ?? '';
}

export async function loginThrottle(_: unknown, args: { email: string; address?: string | null }, ctx: AuthContext): Promise<LoginThrottleView> {
  const tenantId = tenantOf(ctx);
  const input = validateInput(throttleArgs, args);
  const email = normalizeEmail(input.email);
  const address = input.address ?? null;
  const report = await ctx.deps.throttle.report(tenantId, email, address, ctx.deps.clock.now());
  const at = (deadline: number | null) => (deadline === null ? null : new Date(deadline));
  return {
    email,
    accountFailures: report.accountFailures,
    slowed: report.slowed,
    knownAddresses: report.knownAddresses,
    address:
      address === null || report.address === undefined
        ? null
        : {
            address,
            failures: report.address.failures,
            lockedUntil: at(report.address.lockedUntil),
            accountFailures: report.address.accountFailures,
            accountLockedUntil: at(report.address.accountLockedUntil),
          },
  };
}

export async function clearLoginThrottle(_: unknown, args: { email: string; address?: string | null }, ctx: AuthContext): Promise<boolean> {
  const tenantId = tenantOf(ctx);
  const input = validateInput(throttleArgs, args);
  await ctx.deps.throttle.clear(tenantId, normalizeEmail(input.email), input.address ?? null);
  ctx.logger.info({ email: normalizeEmail(input.email), address: input.address ?? null, by: ctx.user?.id }, 'login throttle cleared by an admin');
  return true;
}
