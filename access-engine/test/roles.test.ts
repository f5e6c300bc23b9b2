import { describe, expect, it } from 'vitest';
import { AccessEngine, InvalidRoleNameError, RoleCycleError, RoleInUseError, UnknownRoleError } from '../src/index.js';

function engineWithChain(): AccessEngine {
  const engine = new AccessEngine();
  engine.addRole({ name: 'user', permissions: ['wallet:read:own', 'transfer:create:*'] });
  engine.addRole({ name: 'support', permissions: ['wallet:read:tenant'], inherits: ['user'] });
  engine.addRole({ name: 'admin', permissions: ['user:update:tenant'], inherits: ['support'] });
  return engine;
}

describe('roles', () => {
  it('grant their permissions to subjects carrying them', () => {
    const engine = engineWithChain();
    const alice = { id: 'alice', tenantId: 't1', roles: ['user'] };
    expect(engine.check(alice, 'transfer:create:*').allowed).toBe(true);
    expect(engine.check(alice, 'user:update:tenant').allowed).toBe(false);
  });

  it('inherit permissions transitively and name the chain that gave them', () => {
    const engine = engineWithChain();
    const root = { id: 'root', tenantId: 't1', roles: ['admin'] };
    const result = engine.check(root, 'transfer:create:*');
    expect(result.allowed).toBe(true);
    expect(result.matched).toMatchObject({ kind: 'role-permission', role: 'user', via: ['admin', 'support', 'user'] });
    expect(result.reason).toContain('admin → support → user');
  });

  it('do not pass permissions down to the roles they inherit from', () => {
    const engine = engineWithChain();
    expect(engine.check({ id: 'u', tenantId: 't1', roles: ['user'] }, 'wallet:read:tenant').allowed).toBe(false);
  });

  it('can be assigned by the engine instead of carried on the subject', () => {
    const engine = engineWithChain();
    const bob = { id: 'bob', tenantId: 't1' };
    expect(engine.check(bob, 'transfer:create:*').allowed).toBe(false);
    engine.assignRole('bob', 'user');
    const result = engine.check(bob, 'transfer:create:*');
    expect(result.allowed).toBe(true);
    expect(result.matched?.assignedBy).toBe('engine');
    engine.unassignRole('bob', 'user');
    expect(engine.check(bob, 'transfer:create:*').allowed).toBe(false);
  });

  it('combine carried and engine-assigned roles', () => {
    const engine = engineWithChain();
    engine.addRole({ name: 'auditor', permissions: ['ledger:read:*'] });
    engine.assignRole('carol', 'auditor');
    const carol = { id: 'carol', tenantId: 't1', roles: ['user'] };
    expect(engine.check(carol, 'ledger:read:*').allowed).toBe(true);
    expect(engine.check(carol, 'transfer:create:*').allowed).toBe(true);
  });

  it('reject inheriting from a role that does not exist, at the moment the role is added', () => {
    const engine = new AccessEngine();
    expect(() => engine.addRole({ name: 'support', inherits: ['ghost'] })).toThrow(UnknownRoleError);
    expect(engine.getRole('support')).toBeUndefined();
  });

  it('reject assigning a role that does not exist', () => {
    const engine = new AccessEngine();
    const error = (() => {
      try {
        engine.assignRole('u1', 'ghost');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UnknownRoleError);
    expect((error as UnknownRoleError).role).toBe('ghost');
  });

  it('ignore carried roles the policy does not define, which can only remove permissions', () => {
    const engine = engineWithChain();
    const result = engine.check({ id: 'u', tenantId: 't1', roles: ['role-of-another-system'] }, 'transfer:create:*');
    expect(result.allowed).toBe(false);
  });

  it('reject a redefinition that closes an inheritance cycle, naming the cycle', () => {
    const engine = engineWithChain();
    let error: unknown;
    try {
      engine.addRole({ name: 'user', permissions: ['wallet:read:own'], inherits: ['admin'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RoleCycleError);
    expect((error as RoleCycleError).cycle).toEqual(['user', 'admin', 'support', 'user']);
    expect((error as RoleCycleError).message).toContain('user → admin → support → user');
    // The rejected definition left the old one in force.
    expect(engine.getRole('user')?.inherits).toEqual([]);
  });

  it('reject a role inheriting itself', () => {
    const engine = new AccessEngine();
    engine.addRole({ name: 'loop' });
    expect(() => engine.addRole({ name: 'loop', inherits: ['loop'] })).toThrow(RoleCycleError);
  });

  it('reject invalid role names', () => {
    const engine = new AccessEngine();
    expect(() => engine.addRole({ name: '' })).toThrow(InvalidRoleNameError);
    expect(() => engine.addRole({ name: 'has space' })).toThrow(InvalidRoleNameError);
    expect(() => engine.addRole({ name: '*' })).toThrow(InvalidRoleNameError);
  });

  it('cannot be removed while another role inherits them', () => {
    const engine = engineWithChain();
    expect(() => engine.removeRole('user')).toThrow(RoleInUseError);
    expect(engine.removeRole('admin')).toBe(true);
    expect(engine.removeRole('admin')).toBe(false);
  });

  it('take their engine assignments with them when removed', () => {
    const engine = engineWithChain();
    engine.addRole({ name: 'auditor', permissions: ['ledger:read:*'] });
    engine.assignRole('dave', 'auditor');
    engine.removeRole('auditor');
    expect(engine.check({ id: 'dave' }, 'ledger:read:*').allowed).toBe(false);
    expect(engine.toJSON().assignments).toEqual([]);
  });

  it('apply a replaced definition to subjects compiled before the change', () => {
    const engine = engineWithChain();
    const compiled = engine.compile({ id: 'u', tenantId: 't1', roles: ['user'] });
    expect(compiled.can('ledger:read:*')).toBe(false);
    engine.addRole({ name: 'user', permissions: ['ledger:read:*'] });
    expect(compiled.can('ledger:read:*')).toBe(true);
    expect(compiled.can('transfer:create:*')).toBe(false);
  });

  it('count inherited roles in hasRole', () => {
    const engine = engineWithChain();
    const root = { id: 'root', roles: ['admin'] };
    expect(engine.hasRole(root, 'admin')).toBe(true);
    expect(engine.hasRole(root, 'user')).toBe(true);
    expect(engine.hasRole({ id: 'u', roles: ['user'] }, 'admin')).toBe(false);
  });
});
