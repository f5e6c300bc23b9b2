import { parseUrn, type RoleInput } from 'core-service/access';
import { DENY_PREFIX } from 'core-service/access';
import { PLATFORM_ROLES } from './default-roles.js';

/**
 * What a tenant administrator may put into a role of their tenant. Roles are per tenant, but a
 * permission's reach is in its target: a role with `wallet:read:*` would read every tenant's
 * wallets, and one naming an instance id could name another tenant's. So a tenant admin may only
 * write allow targets that stay inside the tenant (`own`, `tenant`); denies may target anything
 * (they only take away).
 */
export function tenantRoleProblems(input: RoleInput, isPlatformOperator: boolean): string[] {
  const problems: string[] = [];
  if (input.name.startsWith(DENY_PREFIX)) problems.push(`role name "${input.name}" may not start with "${DENY_PREFIX}"`);
  if (isPlatformOperator) return problems;
  if (PLATFORM_ROLES.has(input.name)) problems.push(`role "${input.name}" can only be edited by a platform operator`);
  for (const parent of input.inherits ?? []) {
    if (PLATFORM_ROLES.has(parent)) problems.push(`inheriting "${parent}" needs a platform operator`);
  }
  for (const urn of input.permissions ?? []) {
    const kind = parseUrn(urn).targetKind;
    if (kind !== 'own' && kind !== 'tenant') problems.push(`"${urn}" reaches beyond the tenant; use an own or tenant target`);
  }
  return problems;
}

/** May the caller hand out or take away `role`? */
export function canAssignRole(role: string, isPlatformOperator: boolean): boolean {
  return isPlatformOperator || !PLATFORM_ROLES.has(role);
}
