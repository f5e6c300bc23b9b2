import { AccessEngine, CompiledAccess, hasRole as engineHasRole, isOwner as engineIsOwner, sameTenant as engineSameTenant, type ResourceDescriptor } from 'access-engine';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { GraphQLError } from '../errors/graphql-error.js';
import { getPermissionSetAccess } from './permission-set-access.js';
import { subjectFromUser, type UserLike } from './subject-from-user.js';

/** A request user as the gateway forwards it: identity, roles and the token's compiled URNs. */
export interface AccessUser extends UserLike {
  readonly permissions?: readonly string[];
}

/**
 * What the helpers read from a resolver context. A `SubgraphContext` fits as is: its `user`
 * carries the token's permissions, which decide. A service that holds the policy itself (the
 * auth-service) may put its engine, or a compiled object, in `access`; that then decides.
 */
export interface AccessRequestContext {
  readonly user?: AccessUser | null;
  readonly access?: AccessEngine | CompiledAccess | null;
}

// One compiled object per user object, i.e. per request: repeated checks in one request skip
// even the permission-set lookup.
const compiledByUser = new WeakMap<AccessUser, CompiledAccess>();

/** The compiled decisions for the context's caller; null when anonymous. */
export function accessFor(ctx: AccessRequestContext | null | undefined): CompiledAccess | null {
  const user = ctx?.user;
  const subject = subjectFromUser(user);
  if (user === null || user === undefined || subject === null) return null;
  const access = ctx?.access;
  if (access instanceof CompiledAccess) return access;
  if (access instanceof AccessEngine) return access.compile(subject);
  let compiled = compiledByUser.get(user);
  if (compiled === undefined) {
    compiled = getPermissionSetAccess().compile({ id: subject.id, tenantId: subject.tenantId ?? null, permissions: user.permissions ?? [] });
    compiledByUser.set(user, compiled);
  }
  return compiled;
}

export function isAuthenticated(ctx: AccessRequestContext | null | undefined): boolean {
  return subjectFromUser(ctx?.user) !== null;
}

/** May the caller do `urn` to `resource`? Anonymous callers may do nothing. */
export function can(ctx: AccessRequestContext | null | undefined, urn: string, resource?: ResourceDescriptor | null): boolean {
  return accessFor(ctx)?.can(urn, resource) ?? false;
}

/**
 * Does the caller hold `role`? With an engine in the context inheritance is resolved there;
 * otherwise the token's `roles` claim decides, which the auth-service fills with inherited roles
 * already expanded (an admin's token says `support` and `user` too).
 */
export function hasRole(ctx: AccessRequestContext | null | undefined, role: string, scope?: string | null): boolean {
  const subject = subjectFromUser(ctx?.user);
  if (subject === null) return false;
  const access = ctx?.access;
  if (access instanceof AccessEngine || access instanceof CompiledAccess) return engineHasRole({ user: subject, access }, role, scope);
  return engineHasRole(subject, role, scope);
}

export function isOwner(ctx: AccessRequestContext | null | undefined, resource: ResourceDescriptor | string | null | undefined): boolean {
  return engineIsOwner(subjectFromUser(ctx?.user), resource);
}

export function sameTenant(ctx: AccessRequestContext | null | undefined, resource: ResourceDescriptor | string | null | undefined): boolean {
  return engineSameTenant(subjectFromUser(ctx?.user), resource);
}

/** The caller, or UNAUTHENTICATED. */
export function requireAuthenticated<TUser extends AccessUser>(ctx: { readonly user?: TUser | null } | null | undefined): TUser {
  const user = ctx?.user;
  if (user === null || user === undefined || subjectFromUser(user) === null) {
    throw new GraphQLError(CORE_ERRORS.Unauthenticated, { reason: 'anonymous' }, { message: 'Authentication required' });
  }
  return user;
}

/**
 * Throws UNAUTHENTICATED for anonymous callers and FORBIDDEN when `urn` is not allowed on
 * `resource`. The URN goes to the error's extensions; the resource does not (it may name
 * another user's ids).
 */
export function requirePermission(ctx: AccessRequestContext | null | undefined, urn: string, resource?: ResourceDescriptor | null): void {
  requireAuthenticated(ctx);
  if (!can(ctx, urn, resource)) {
    throw new GraphQLError(CORE_ERRORS.Forbidden, { permission: urn }, { message: `Missing permission ${urn}` });
  }
}

/**
 * The tenant guard: the signed-in caller and the one tenant it may act in, its own. Throws
 * UNAUTHENTICATED for an anonymous caller and FORBIDDEN for a caller without a tenant; with a
 * `permission`, also FORBIDDEN unless the caller holds it in that tenant (on `ownerId`'s
 * resource when given, else on the tenant). Tenant-scoped resolvers take their tenant from
 * here, never from their arguments, so no operation reaches into another tenant; one function,
 * so every service refuses the same way.
 */
export function requireCallerTenant(ctx: AccessRequestContext | null | undefined, permission?: string, ownerId?: string): { userId: string; tenantId: string } {
  const user = requireAuthenticated(ctx);
  const tenantId = user.tenantId;
  // An empty tenant is no tenant (as in access-engine's subjects): it must not be a tenant to act in.
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new GraphQLError(CORE_ERRORS.Forbidden, {}, { message: 'The caller belongs to no tenant' });
  }
  if (permission !== undefined) requirePermission(ctx, permission, ownerId === undefined ? { tenantId } : { ownerId, tenantId });
  return { userId: user.id, tenantId };
}

/** The helpers bound to one resolver context, for resolvers that check several times. */
export interface RequestAccess {
  readonly isAuthenticated: boolean;
  can(urn: string, resource?: ResourceDescriptor | null): boolean;
  hasRole(role: string, scope?: string | null): boolean;
  isOwner(resource: ResourceDescriptor | string | null | undefined): boolean;
  sameTenant(resource: ResourceDescriptor | string | null | undefined): boolean;
  requirePermission(urn: string, resource?: ResourceDescriptor | null): void;
}

export function createRequestAccess(ctx: AccessRequestContext): RequestAccess {
  return {
    isAuthenticated: isAuthenticated(ctx),
    can: (urn, resource) => can(ctx, urn, resource),
    hasRole: (role, scope) => hasRole(ctx, role, scope),
    isOwner: (resource) => isOwner(ctx, resource),
    sameTenant: (resource) => sameTenant(ctx, resource),
    requirePermission: (urn, resource) => requirePermission(ctx, urn, resource),
  };
}

/** A `PermissionChecker` for `createValidationChain({ can })`, deciding from the user's token permissions. */
export function tokenPermissionChecker(user: AccessUser, urn: string, resource?: ResourceDescriptor | null): boolean {
  return can({ user }, urn, resource);
}
