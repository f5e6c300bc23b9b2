import { describe, expect, it } from 'vitest';
import { AccessEngine, InvalidPolicyError, RoleCycleError, UnknownRoleError, type PolicyDocument } from '../src/index.js';

function populated(): AccessEngine {
  const e = new AccessEngine();
  e.addRole({ name: 'user', permissions: ['wallet:read:own', 'transfer:create:*'] });
  e.addRole({ name: 'frozen', denies: ['transfer:*:*'] });
  e.addRole({ name: 'support', permissions: ['wallet:read:tenant'], inherits: ['user'] });
  e.assignRole('mia', 'support', 't1/brand-a');
  e.assignRole('ana', 'user');
  e.grant('ana', 'report:export:*', 't1');
  e.deny('ana', 'wallet:delete:*');
  return e;
}

describe('policy documents', () => {
  it('toJSON then load reproduces the same policy and the same decisions', () => {
    const source = populated();
    const document = JSON.parse(JSON.stringify(source.toJSON())) as PolicyDocument;
    const copy = new AccessEngine();
    copy.load(document);
    expect(copy.toJSON()).toEqual({ ...source.toJSON(), version: copy.version });
    const mia = { id: 'mia', tenantId: 't1' };
    expect(copy.check(mia, 'wallet:read:*', { tenantId: 't1', scope: 't1/brand-a/x' })).toEqual(source.check(mia, 'wallet:read:*', { tenantId: 't1', scope: 't1/brand-a/x' }));
    expect(copy.check({ id: 'ana' }, 'report:export:*', { scope: 't1/b' }).allowed).toBe(true);
  });

  it('a document can seed the engine through its options', () => {
    const e = new AccessEngine({ policy: populated().toJSON() });
    expect(e.check({ id: 'ana' }, 'transfer:create:*').allowed).toBe(true);
  });

  it('loading adopts the document version when it is ahead, so processes converge on one stamp', () => {
    const e = new AccessEngine();
    e.load({ ...populated().toJSON(), version: 50 });
    expect(e.version).toBe(50);
    e.load({ ...populated().toJSON(), version: 10 });
    expect(e.version).toBe(51);
  });

  it('loading invalidates subjects compiled against the previous policy', () => {
    const e = populated();
    const ana = e.compile({ id: 'ana' });
    expect(ana.can('transfer:create:*')).toBe(true);
    e.load({ format: 1, version: 0, roles: [], assignments: [], grants: [], denies: [] });
    expect(ana.can('transfer:create:*')).toBe(false);
  });

  it('roles may inherit roles listed after them in a document', () => {
    const e = new AccessEngine();
    e.load({
      format: 1,
      version: 1,
      roles: [
        { name: 'support', permissions: ['wallet:read:tenant'], inherits: ['user'] },
        { name: 'user', permissions: ['wallet:read:own'] },
      ],
      assignments: [],
      grants: [],
      denies: [],
    });
    expect(e.check({ id: 'x', roles: ['support'] }, 'wallet:read:own').allowed).toBe(true);
  });

  it('a document with a cycle is rejected and the current policy stays in force', () => {
    const e = populated();
    const before = e.toJSON();
    const bad: PolicyDocument = {
      format: 1,
      version: 99,
      roles: [
        { name: 'a', inherits: ['b'] },
        { name: 'b', inherits: ['a'] },
      ],
      assignments: [],
      grants: [],
      denies: [],
    };
    expect(() => e.load(bad)).toThrow(RoleCycleError);
    expect(e.toJSON()).toEqual(before);
  });

  it('a document with an unknown role, a bad URN or a bad shape is rejected', () => {
    const e = new AccessEngine();
    const base = { format: 1 as const, version: 0, roles: [], assignments: [], grants: [], denies: [] };
    expect(() => e.load({ ...base, roles: [{ name: 'a', inherits: ['ghost'] }] })).toThrow(UnknownRoleError);
    expect(() => e.load({ ...base, assignments: [{ subjectId: 'u', role: 'ghost' }] })).toThrow(UnknownRoleError);
    expect(() => e.load({ ...base, grants: [{ subjectId: 'u', urn: 'wallet:read' }] })).toThrow(/invalid permission URN/);
    expect(() => e.load({ ...base, roles: [{ name: 'a' }, { name: 'a' }] })).toThrow(InvalidPolicyError);
    expect(() => e.load({ ...base, format: 2 } as unknown as PolicyDocument)).toThrow(InvalidPolicyError);
    expect(e.version).toBe(0);
  });
});
