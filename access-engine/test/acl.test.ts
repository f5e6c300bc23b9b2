import { describe, expect, it } from 'vitest';
import { AccessEngine } from '../src/index.js';

function engineWithRoles(): AccessEngine {
  const engine = new AccessEngine();
  engine.addRole({ name: 'admin', permissions: ['*:*:*'] });
  engine.addRole({ name: 'user', permissions: ['wallet:read:own', 'transfer:create:*'] });
  engine.addRole({ name: 'frozen', denies: ['transfer:*:*'] });
  return engine;
}

describe('ACL grants and denies', () => {
  it('a grant allows one subject beyond its roles, and no one else', () => {
    const engine = engineWithRoles();
    engine.grant('ana', 'report:export:*');
    const result = engine.check({ id: 'ana', roles: ['user'] }, 'report:export:*');
    expect(result).toMatchObject({ allowed: true, matched: { kind: 'grant', subjectId: 'ana', permission: 'report:export:*' } });
    expect(engine.check({ id: 'ben', roles: ['user'] }, 'report:export:*').allowed).toBe(false);
  });

  it('a revoked grant no longer allows', () => {
    const engine = engineWithRoles();
    engine.grant('ana', 'report:export:*');
    expect(engine.revoke('ana', 'report:export:*')).toBe(true);
    expect(engine.revoke('ana', 'report:export:*')).toBe(false);
    expect(engine.check({ id: 'ana' }, 'report:export:*').allowed).toBe(false);
  });

  it('a subject deny beats an allow from a role, even a wildcard admin role', () => {
    const engine = engineWithRoles();
    engine.deny('root', 'wallet:delete:*');
    const root = { id: 'root', roles: ['admin'] };
    const result = engine.check(root, 'wallet:delete:*');
    expect(result).toMatchObject({ allowed: false, matched: { kind: 'deny', effect: 'deny', permission: 'wallet:delete:*' } });
    expect(result.reason).toContain('deny "wallet:delete:*" on subject "root"');
    expect(engine.check(root, 'wallet:read:*').allowed).toBe(true);
  });

  it('a subject deny beats a grant to the same subject', () => {
    const engine = engineWithRoles();
    engine.grant('ana', 'report:export:*');
    engine.deny('ana', 'report:*:*');
    expect(engine.check({ id: 'ana' }, 'report:export:*').allowed).toBe(false);
  });

  it('a deny carried by a role beats allows from other roles and from grants', () => {
    const engine = engineWithRoles();
    engine.grant('ana', 'transfer:create:*');
    const ana = { id: 'ana', roles: ['user', 'frozen'] };
    const result = engine.check(ana, 'transfer:create:*');
    expect(result).toMatchObject({ allowed: false, matched: { kind: 'role-deny', role: 'frozen' } });
    expect(engine.check(ana, 'wallet:read:own').allowed).toBe(true);
  });

  it('a deny inherited through a role chain still wins', () => {
    const engine = engineWithRoles();
    engine.addRole({ name: 'suspended-admin', inherits: ['admin', 'frozen'] });
    expect(engine.check({ id: 'x', roles: ['suspended-admin'] }, 'transfer:create:*').allowed).toBe(false);
    expect(engine.check({ id: 'x', roles: ['suspended-admin'] }, 'wallet:read:*').allowed).toBe(true);
  });

  it('a revoked deny stops denying', () => {
    const engine = engineWithRoles();
    engine.deny('root', 'wallet:delete:*');
    expect(engine.revokeDeny('root', 'wallet:delete:*')).toBe(true);
    expect(engine.check({ id: 'root', roles: ['admin'] }, 'wallet:delete:*').allowed).toBe(true);
  });

  it('a conditional deny only applies where its condition can hold', () => {
    const engine = engineWithRoles();
    engine.deny('root', 'wallet:delete:own');
    const root = { id: 'root', tenantId: 't1', roles: ['admin'] };
    expect(engine.check(root, 'wallet:delete:*', { ownerId: 'root' }).allowed).toBe(false);
    expect(engine.check(root, 'wallet:delete:*', { ownerId: 'someone-else' }).allowed).toBe(true);
  });

  it('a conditional deny whose data was not given applies, and says what would rule it out', () => {
    const engine = engineWithRoles();
    engine.deny('root', 'wallet:delete:own');
    const result = engine.check({ id: 'root', roles: ['admin'] }, 'wallet:delete:*');
    expect(result.allowed).toBe(false);
    expect(result.missing).toEqual(['ownerId']);
    expect(result.reason).toContain('resource.ownerId');
  });

  it('granting the same rule twice keeps one entry and does not move the version', () => {
    const engine = engineWithRoles();
    expect(engine.grant('ana', 'report:export:*')).toBe(true);
    const version = engine.version;
    expect(engine.grant('ana', 'report:export:*')).toBe(false);
    expect(engine.version).toBe(version);
    expect(engine.toJSON().grants).toHaveLength(1);
  });

  it('an anonymous request is denied with a reason', () => {
    const engine = engineWithRoles();
    expect(engine.check(null, 'wallet:read:*')).toMatchObject({ allowed: false, reason: 'denied: no authenticated subject', matched: null });
    expect(engine.can(undefined, 'wallet:read:*')).toBe(false);
  });
});
