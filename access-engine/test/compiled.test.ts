import { describe, expect, it, vi } from 'vitest';
import { AccessEngine, CompiledAccess, InvalidUrnError, InvalidSubjectError, InvalidVersionError } from '../src/index.js';

function engine(): AccessEngine {
  const e = new AccessEngine();
  e.addRole({ name: 'user', permissions: ['wallet:read:own', 'transfer:create:*'] });
  e.addRole({ name: 'support', permissions: ['wallet:read:tenant'], inherits: ['user'] });
  return e;
}

describe('compiled decisions', () => {
  it('answer like check for the usual resolver questions', () => {
    const e = engine();
    const sam = { id: 'sam', tenantId: 't1', roles: ['support'] };
    const access = e.compile(sam);
    const cases: [string, object | undefined][] = [
      ['wallet:read:own', undefined],
      ['wallet:read:*', { tenantId: 't1' }],
      ['wallet:read:*', { tenantId: 't2' }],
      ['wallet:read:*', undefined],
      ['transfer:create:*', undefined],
      ['transfer:refund:*', undefined],
    ];
    for (const [urn, resource] of cases) {
      expect(access.can(urn, resource), `${urn} ${JSON.stringify(resource)}`).toBe(e.check(sam, urn, resource).allowed);
    }
  });

  it('are cached per subject: the same identity and roles give the same object', () => {
    const e = engine();
    const a = e.compile({ id: 'sam', tenantId: 't1', roles: ['support', 'user'] });
    const b = e.compile({ id: 'sam', tenantId: 't1', roles: ['user', 'support'] });
    const c = e.compile({ id: 'sam', tenantId: 't1', roles: ['user'] });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toBeInstanceOf(CompiledAccess);
  });

  it('a subject object reused with different roles or tenant is compiled afresh', () => {
    const e = engine();
    const subject: { id: string; tenantId?: string; roles: string[] } = { id: 'ana', tenantId: 't1', roles: ['user'] };
    expect(e.can(subject, 'wallet:read:*', { tenantId: 't1' })).toBe(false);
    subject.roles = ['support'];
    expect(e.can(subject, 'wallet:read:*', { tenantId: 't1' })).toBe(true);
    subject.tenantId = 't2';
    expect(e.can(subject, 'wallet:read:*', { tenantId: 't1' })).toBe(false);
  });

  it('a subject whose roles array is edited in place loses the removed role at once', () => {
    const e = engine();
    const roles = ['user', 'support'];
    const subject = { id: 'ana', tenantId: 't1', roles };
    expect(e.can(subject, 'wallet:read:*', { tenantId: 't1' })).toBe(true);
    roles.splice(1, 1);
    expect(e.can(subject, 'wallet:read:*', { tenantId: 't1' })).toBe(false);
    roles[0] = 'support';
    expect(e.can(subject, 'wallet:read:*', { tenantId: 't1' })).toBe(true);
  });

  it('keep no more subjects than the configured bound', () => {
    const e = new AccessEngine({ maxCachedSubjects: 2 });
    e.addRole({ name: 'user', permissions: ['wallet:read:own'] });
    const first = e.compile({ id: 'a' });
    e.compile({ id: 'b' });
    e.compile({ id: 'c' });
    expect(e.compile({ id: 'a' })).not.toBe(first);
    expect(e.compile({ id: 'a' }).can('wallet:read:own')).toBe(false);
  });

  it('rebuild after any policy change, so an object held across a change never answers from the old policy', () => {
    const e = engine();
    const access = e.compile({ id: 'ana', tenantId: 't1', roles: ['user'] });
    expect(access.can('transfer:create:*')).toBe(true);
    e.deny('ana', 'transfer:create:*');
    expect(access.can('transfer:create:*')).toBe(false);
    e.revokeDeny('ana', 'transfer:create:*');
    expect(access.can('transfer:create:*')).toBe(true);
    e.assignRole('ana', 'support');
    expect(access.can('wallet:read:*', { tenantId: 't1' })).toBe(true);
  });

  it('carry the policy version they were built against', () => {
    const e = engine();
    const access = e.compile({ id: 'ana', roles: ['user'] });
    expect(access.version).toBe(e.version);
    e.grant('ana', 'report:export:*');
    access.can('report:export:*');
    expect(access.version).toBe(e.version);
  });

  it('every change moves the version and tells onChange listeners', () => {
    const seen: number[] = [];
    const fromOptions = vi.fn();
    const e = new AccessEngine({ onChange: fromOptions });
    const stop = e.onChange((v) => seen.push(v));
    e.addRole({ name: 'user', permissions: ['wallet:read:own'] });
    e.grant('a', 'x:y:*');
    e.grant('a', 'x:y:*'); // no change, no notification
    expect(seen).toEqual([1, 2]);
    expect(fromOptions).toHaveBeenCalledTimes(2);
    stop();
    e.revoke('a', 'x:y:*');
    expect(seen).toEqual([1, 2]);
    expect(e.version).toBe(3);
  });

  it('a version set by another process invalidates compiled objects, even when set back to an old value', () => {
    const e = engine();
    const access = e.compile({ id: 'ana', roles: ['user'] });
    access.can('transfer:create:*');
    e.setVersion(42);
    expect(e.version).toBe(42);
    expect(access.can('transfer:create:*')).toBe(true);
    expect(access.version).toBe(42);
    expect(e.bumpVersion()).toBe(43);
    e.setVersion(1);
    expect(access.can('transfer:create:*')).toBe(true);
    expect(access.version).toBe(1);
    expect(() => e.setVersion(-1)).toThrow(InvalidVersionError);
    expect(() => e.setVersion(1.5)).toThrow(InvalidVersionError);
  });

  it('a listener that throws does not stop the others, and its error surfaces after the change', () => {
    const e = new AccessEngine();
    const after = vi.fn();
    e.onChange(() => {
      throw new Error('listener broke');
    });
    e.onChange(after);
    expect(() => e.bumpVersion()).toThrow('listener broke');
    expect(after).toHaveBeenCalledWith(1);
    expect(e.version).toBe(1);
  });

  it('reject malformed request URNs instead of answering false', () => {
    const access = engine().compile({ id: 'ana', roles: ['user'] });
    expect(() => access.can('wallet:read')).toThrow(InvalidUrnError);
  });

  it('reject malformed subjects', () => {
    const e = engine();
    expect(() => e.compile({ id: '' })).toThrow(InvalidSubjectError);
    expect(() => e.compile({ id: 'a', roles: [{ role: 'user', scope: 't1//x' }] })).toThrow(InvalidSubjectError);
  });

  it('answer correctly for URNs past the per-subject plan bound', () => {
    const e = new AccessEngine({ maxCachedUrnsPerSubject: 2 });
    e.addRole({ name: 'user', permissions: ['wallet:read:own'] });
    const access = e.compile({ id: 'u', roles: ['user'] });
    for (let i = 0; i < 10; i++) {
      expect(access.can(`wallet:read:w-${i}`, { ownerId: i % 2 === 0 ? 'u' : 'v' })).toBe(i % 2 === 0);
    }
  });

  it('keep answering a hot URN correctly after many distinct URNs have filled the plan table', () => {
    const e = new AccessEngine({ maxCachedUrnsPerSubject: 4 });
    e.addRole({ name: 'user', permissions: ['wallet:read:own', 'transfer:create:*'] });
    const access = e.compile({ id: 'u', roles: ['user'] });
    for (let i = 0; i < 50; i++) {
      expect(access.can('transfer:create:*')).toBe(true);
      expect(access.can(`wallet:read:w-${i}`, { ownerId: 'someone-else' })).toBe(false);
    }
  });

  it('check through the compiled object explains like the engine does', () => {
    const e = engine();
    const sam = { id: 'sam', tenantId: 't1', roles: ['support'] };
    expect(e.compile(sam).check('wallet:read:*', { tenantId: 't1' })).toEqual(e.check(sam, 'wallet:read:*', { tenantId: 't1' }));
  });

  it('do not allocate on the hot path once a URN has been seen', () => {
    const e = engine();
    e.deny('sam', 'wallet:read:*', 't1/closed');
    const access = e.compile({ id: 'sam', tenantId: 't1', roles: ['support'] });
    const resource = { ownerId: 'x', tenantId: 't1', scope: 't1/open' };
    const urn = 'wallet:read:*';
    access.can(urn, resource);
    // Not a proof (GC timing is not observable from here), but a regression alarm: a
    // million warm calls must not grow the heap by anything close to an allocation per call.
    const before = process.memoryUsage().heapUsed;
    let allowed = 0;
    for (let i = 0; i < 1_000_000; i++) if (access.can(urn, resource)) allowed++;
    const grown = process.memoryUsage().heapUsed - before;
    expect(allowed).toBe(1_000_000);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
  });
});
