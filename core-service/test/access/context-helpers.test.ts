import { describe, expect, it } from 'vitest';
import {
  AccessEngine,
  PermissionSetAccess,
  can,
  createRequestAccess,
  decodeTokenPermissions,
  effectiveRoleNames,
  encodeTokenPermissions,
  getPermissionSetAccess,
  hasRole,
  isAuthenticated,
  isOwner,
  requireCallerTenant,
  requirePermission,
  sameTenant,
  subjectFromUser,
} from '../../src/access/index.js';
import { createValidationChain, getErrorCode, type SubgraphUser } from '../../src/index.js';
import { tokenPermissionChecker } from '../../src/access/index.js';

function policy(): AccessEngine {
  const engine = new AccessEngine();
  engine.addRole({ name: 'user', permissions: ['wallet:read:own', 'transfer:create:own'] });
  engine.addRole({ name: 'support', permissions: ['wallet:read:tenant', 'user:read:tenant'], inherits: ['user'] });
  engine.addRole({ name: 'admin', permissions: ['*:*:tenant'], inherits: ['support'] });
  engine.addRole({ name: 'frozen', denies: ['transfer:*:*'] });
  return engine;
}

function userWith(engine: AccessEngine, id: string, tenantId: string, roles: string[]): SubgraphUser {
  const subject = { id, tenantId, roles };
  return { id, tenantId, roles: effectiveRoleNames(engine, subject), permissions: encodeTokenPermissions(engine, subject), sessionId: 's1' };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return getErrorCode(error);
  }
  return undefined;
}

describe('token permissions', () => {
  it('carries inherited permissions and role denies, and expands inherited role names', () => {
    const engine = policy();
    const admin = userWith(engine, 'a', 't1', ['admin']);
    expect(admin.roles).toEqual(['admin', 'support', 'user']);
    expect(admin.permissions).toEqual(expect.arrayContaining(['*:*:tenant', 'wallet:read:tenant', 'wallet:read:own']));
    const frozen = userWith(engine, 'f', 't1', ['user', 'frozen']);
    expect(decodeTokenPermissions(frozen.permissions).denies).toEqual(['transfer:*:*']);
  });

  it('drops scoped role assignments instead of applying them everywhere', () => {
    const engine = policy();
    const permissions = encodeTokenPermissions(engine, { id: 'm', tenantId: 't1', roles: [{ role: 'admin', scope: 't1/brand-a' }] });
    expect(permissions).toEqual([]);
  });
});

describe('deciding from a token without the policy', () => {
  const engine = policy();

  it('decides own and tenant targets like the engine holding the policy', () => {
    const user = userWith(engine, 'u1', 't1', ['user']);
    const ctx = { user };
    expect(can(ctx, 'wallet:read:own', { ownerId: 'u1', tenantId: 't1' })).toBe(true);
    expect(can(ctx, 'wallet:read:*', { ownerId: 'u2', tenantId: 't1' })).toBe(false);
    const support = { user: userWith(engine, 's1', 't1', ['support']) };
    expect(can(support, 'wallet:read:*', { ownerId: 'u2', tenantId: 't1' })).toBe(true);
    expect(can(support, 'wallet:read:*', { ownerId: 'u9', tenantId: 't2' })).toBe(false);
    for (const urn of ['wallet:read:*', 'transfer:create:*', 'user:update:*']) {
      for (const resource of [
        { ownerId: 'u1', tenantId: 't1' },
        { ownerId: 'u2', tenantId: 't1' },
        { ownerId: 'u3', tenantId: 't2' },
      ]) {
        for (const roles of [['user'], ['support'], ['admin'], ['admin', 'frozen']]) {
          const subject = { id: 'u1', tenantId: 't1', roles };
          const fromToken = can({ user: userWith(engine, 'u1', 't1', roles) }, urn, resource);
          expect(fromToken, `${roles.join('+')} ${urn} ${JSON.stringify(resource)}`).toBe(engine.can(subject, urn, resource));
        }
      }
    }
  });

  it('lets a role deny in the token beat an allow from another role', () => {
    const user = userWith(engine, 'u1', 't1', ['admin', 'frozen']);
    expect(can({ user }, 'transfer:create:own', { ownerId: 'u1', tenantId: 't1' })).toBe(false);
    expect(can({ user }, 'wallet:read:own', { ownerId: 'u1', tenantId: 't1' })).toBe(true);
  });

  it('shares one synthetic role among callers with the same permission set, in any order', () => {
    const access = new PermissionSetAccess();
    access.compile({ id: 'a', tenantId: 't1', permissions: ['wallet:read:own', 'transfer:create:own'] });
    access.compile({ id: 'b', tenantId: 't2', permissions: ['transfer:create:own', 'wallet:read:own', 'wallet:read:own'] });
    expect(access.size).toBe(1);
    access.compile({ id: 'c', tenantId: 't1', permissions: ['wallet:read:tenant'] });
    expect(access.size).toBe(2);
  });

  it('evicts the least recently used set and still decides correctly afterwards', () => {
    const access = new PermissionSetAccess({ maxPermissionSets: 2 });
    const a = { id: 'a', tenantId: 't1', permissions: ['wallet:read:own'] };
    const b = { id: 'b', tenantId: 't1', permissions: ['wallet:read:tenant'] };
    const c = { id: 'c', tenantId: 't1', permissions: ['user:read:*'] };
    access.compile(a);
    access.compile(b);
    access.compile(a); // a is now the most recent
    access.compile(c); // evicts b
    expect(access.size).toBe(2);
    expect(access.compile(a).can('wallet:read:own', { ownerId: 'a', tenantId: 't1' })).toBe(true);
    expect(access.compile(b).can('wallet:read:*', { ownerId: 'x', tenantId: 't1' })).toBe(true);
    expect(access.compile(c).can('user:read:*')).toBe(true);
    expect(access.compile(c).can('wallet:read:own', { ownerId: 'c', tenantId: 't1' })).toBe(false);
  });

  it('rejects a malformed URN in a token instead of never matching it', () => {
    expect(() => new PermissionSetAccess().compile({ id: 'a', permissions: ['wallet:read'] })).toThrow();
  });

  it('uses the process-wide instance by default', () => {
    expect(getPermissionSetAccess()).toBe(getPermissionSetAccess());
  });
});

describe('resolver helpers', () => {
  const engine = policy();

  it('requirePermission: UNAUTHENTICATED when anonymous, FORBIDDEN when not allowed, nothing when allowed', () => {
    const user = userWith(engine, 'u1', 't1', ['user']);
    expect(codeOf(() => requirePermission({ user: null }, 'wallet:read:own'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requirePermission({ user }, 'wallet:read:*', { ownerId: 'u2', tenantId: 't1' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requirePermission({ user }, 'wallet:read:own', { ownerId: 'u1', tenantId: 't1' }))).toBeUndefined();
  });

  it('hasRole sees inherited roles from the token, or the engine when the context holds one', () => {
    const admin = userWith(engine, 'a', 't1', ['admin']);
    expect(hasRole({ user: admin }, 'support')).toBe(true);
    expect(hasRole({ user: admin }, 'frozen')).toBe(false);
    expect(hasRole({ user: { id: 'a', tenantId: 't1', roles: ['admin'] }, access: engine }, 'user')).toBe(true);
    expect(hasRole({ user: null }, 'user')).toBe(false);
  });

  it('an engine in the context decides instead of the token', () => {
    const user = { id: 'u1', tenantId: 't1', roles: ['support'], permissions: [] };
    expect(can({ user }, 'wallet:read:tenant')).toBe(false);
    expect(can({ user, access: engine }, 'wallet:read:tenant')).toBe(true);
    expect(can({ user, access: engine.compile(subjectFromUser(user)!) }, 'wallet:read:tenant')).toBe(true);
  });

  it('isOwner and sameTenant compare with the caller, never match "both unknown"', () => {
    const ctx = { user: { id: 'u1', tenantId: 't1', roles: [] } };
    expect(isOwner(ctx, { ownerId: 'u1' })).toBe(true);
    expect(isOwner(ctx, 'u2')).toBe(false);
    expect(isOwner({ user: null }, { ownerId: undefined })).toBe(false);
    expect(sameTenant(ctx, { tenantId: 't1' })).toBe(true);
    expect(sameTenant({ user: { id: 'x', tenantId: null } }, { tenantId: null })).toBe(false);
    expect(isAuthenticated(ctx)).toBe(true);
    expect(isAuthenticated({})).toBe(false);
  });

  it('requireCallerTenant: the caller acts only in its own tenant; UNAUTHENTICATED anonymous, FORBIDDEN without a tenant or without the permission there', () => {
    const support = userWith(engine, 's1', 't1', ['support']);
    const user = userWith(engine, 'u1', 't1', ['user']);
    expect(requireCallerTenant({ user: support })).toEqual({ userId: 's1', tenantId: 't1' });
    expect(codeOf(() => requireCallerTenant({ user: null }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requireCallerTenant({ user: { ...user, tenantId: null } }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireCallerTenant({ user: { ...user, tenantId: '' } }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireCallerTenant({ user: { ...user, tenantId: null } }, 'wallet:read:own', 'u1'))).toBe('FORBIDDEN');
    // The permission is checked on the caller's tenant: a tenant-wide grant, an owner's own resource.
    expect(requireCallerTenant({ user: support }, 'wallet:read:tenant', 'u2')).toEqual({ userId: 's1', tenantId: 't1' });
    expect(requireCallerTenant({ user }, 'wallet:read:own', 'u1').tenantId).toBe('t1');
    expect(codeOf(() => requireCallerTenant({ user }, 'wallet:read:own', 'u2'))).toBe('FORBIDDEN');
    expect(codeOf(() => requireCallerTenant({ user }, 'wallet:read:tenant'))).toBe('FORBIDDEN');
  });

  it('createRequestAccess binds every helper to one context', () => {
    const access = createRequestAccess({ user: userWith(engine, 'u1', 't1', ['user']) });
    expect(access.isAuthenticated).toBe(true);
    expect(access.can('wallet:read:own', { ownerId: 'u1', tenantId: 't1' })).toBe(true);
    expect(access.hasRole('user')).toBe(true);
    expect(access.isOwner('u1')).toBe(true);
    expect(access.sameTenant('t2')).toBe(false);
    expect(codeOf(() => access.requirePermission('user:update:*'))).toBe('FORBIDDEN');
  });

  it('plugs into the validation chain as its permission checker', async () => {
    const chain = createValidationChain({ can: tokenPermissionChecker }).requireAuth().requirePermission('wallet', 'read', 'tenant').build();
    const support = userWith(engine, 's', 't1', ['support']);
    const user = userWith(engine, 'u', 't1', ['user']);
    expect((await chain.handle({ args: {}, ctx: { user: support } })).valid).toBe(true);
    expect((await chain.handle({ args: {}, ctx: { user } })).valid).toBe(false);
  });
});
