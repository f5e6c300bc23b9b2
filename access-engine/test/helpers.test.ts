import { describe, expect, it } from 'vitest';
import { AccessEngine, can, hasRole, isAuthenticated, isOwner, MissingEngineError, sameTenant } from '../src/index.js';

function engine(): AccessEngine {
  const e = new AccessEngine();
  e.addRole({ name: 'user', permissions: ['wallet:read:own'] });
  e.addRole({ name: 'admin', permissions: ['*:*:*'], inherits: ['user'] });
  return e;
}

describe('resolver helpers', () => {
  it('isAuthenticated is true only with a subject that has an id', () => {
    expect(isAuthenticated({ user: { id: 'u1' } })).toBe(true);
    expect(isAuthenticated({ user: null })).toBe(false);
    expect(isAuthenticated({})).toBe(false);
    expect(isAuthenticated(undefined)).toBe(false);
    expect(isAuthenticated({ id: 'u1' })).toBe(true);
  });

  it('hasRole sees carried roles without an engine, and inheritance with one', () => {
    const user = { id: 'u1', roles: ['admin'] };
    expect(hasRole({ user }, 'admin')).toBe(true);
    expect(hasRole({ user }, 'user')).toBe(false);
    expect(hasRole({ user, access: engine() }, 'user')).toBe(true);
    expect(hasRole({ user, access: engine().compile(user) }, 'user')).toBe(true);
    expect(hasRole({ user: null, access: engine() }, 'user')).toBe(false);
  });

  it('hasRole honours carried role scopes', () => {
    const user = { id: 'u1', roles: [{ role: 'admin', scope: 't1' }] };
    expect(hasRole(user, 'admin')).toBe(false);
    expect(hasRole(user, 'admin', 't1/brand-a')).toBe(true);
    expect(hasRole(user, 'admin', 't2')).toBe(false);
  });

  it('can checks through the engine or a compiled object in the context', () => {
    const e = engine();
    const user = { id: 'u1', roles: ['user'] };
    expect(can({ user, access: e }, 'wallet:read:own')).toBe(true);
    expect(can({ user, access: e.compile(user) }, 'wallet:read:own')).toBe(true);
    expect(can({ user, access: e }, 'wallet:read:*', { ownerId: 'u2' })).toBe(false);
  });

  it('can is false for an anonymous context and throws when no engine was provided', () => {
    expect(can({ user: null, access: engine() }, 'wallet:read:own')).toBe(false);
    expect(() => can({ user: { id: 'u1' } }, 'wallet:read:own')).toThrow(MissingEngineError);
  });

  it('isOwner compares the subject with the resource owner', () => {
    const ctx = { user: { id: 'u1' } };
    expect(isOwner(ctx, { ownerId: 'u1' })).toBe(true);
    expect(isOwner(ctx, 'u1')).toBe(true);
    expect(isOwner(ctx, { ownerId: 'u2' })).toBe(false);
    expect(isOwner(ctx, {})).toBe(false);
    expect(isOwner({ user: null }, { ownerId: 'u1' })).toBe(false);
  });

  it('sameTenant never treats two missing tenants as the same tenant', () => {
    expect(sameTenant({ user: { id: 'u1', tenantId: 't1' } }, { tenantId: 't1' })).toBe(true);
    expect(sameTenant({ user: { id: 'u1', tenantId: 't1' } }, 't2')).toBe(false);
    expect(sameTenant({ user: { id: 'u1' } }, {})).toBe(false);
    expect(sameTenant({ user: { id: 'u1' } }, { tenantId: undefined })).toBe(false);
  });
});
