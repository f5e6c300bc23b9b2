import { describe, expect, it } from 'vitest';
import { AccessEngine } from '../src/index.js';

function engine(): AccessEngine {
  const e = new AccessEngine();
  e.addRole({ name: 'user', permissions: ['wallet:read:own', 'transfer:create:*'] });
  e.addRole({ name: 'support', permissions: ['wallet:read:tenant', 'user:update:tenant'] });
  e.addRole({ name: 'vip-desk', permissions: ['wallet:read:w-vip'] });
  return e;
}

const alice = { id: 'alice', tenantId: 't1', roles: ['user'] };
const sam = { id: 'sam', tenantId: 't1', roles: ['support'] };

describe('targets and resource descriptors', () => {
  it('an own rule allows the owner and names the reason', () => {
    const result = engine().check(alice, 'wallet:read:w-1', { ownerId: 'alice' });
    expect(result.allowed).toBe(true);
    expect(result.reason).toContain('the subject owns the resource');
  });

  it("an own rule does not allow reading someone else's resource", () => {
    const result = engine().check(alice, 'wallet:read:w-2', { ownerId: 'bob' });
    expect(result.allowed).toBe(false);
    expect(result.reason).toContain('the resource owner "bob" is not the subject "alice"');
  });

  it('an own rule without an ownerId is denied with a reason naming the missing field', () => {
    const result = engine().check(alice, 'wallet:read:w-1');
    expect(result).toMatchObject({ allowed: false, missing: ['ownerId'], matched: null });
    expect(result.reason).toContain('resource.ownerId');
  });

  it('asking about an own target states ownership, so no descriptor is needed', () => {
    expect(engine().check(alice, 'wallet:read:own').allowed).toBe(true);
  });

  it('a descriptor contradicting an own request wins over the request', () => {
    expect(engine().check(alice, 'wallet:read:own', { ownerId: 'mallory' }).allowed).toBe(false);
  });

  it('a tenant rule allows resources of the subject tenant only', () => {
    const e = engine();
    expect(e.check(sam, 'wallet:read:*', { tenantId: 't1' }).allowed).toBe(true);
    const other = e.check(sam, 'wallet:read:*', { tenantId: 't2' });
    expect(other.allowed).toBe(false);
    expect(other.reason).toContain(`the resource tenant "t2" is not the subject's tenant "t1"`);
  });

  it('a tenant rule without a tenantId is denied with a reason naming the missing field', () => {
    const result = engine().check(sam, 'user:update:u-9');
    expect(result).toMatchObject({ allowed: false, missing: ['tenantId'] });
  });

  it('a tenant rule never allows a subject that has no tenant', () => {
    const result = engine().check({ id: 'x', roles: ['support'] }, 'wallet:read:*', { tenantId: 't1' });
    expect(result.allowed).toBe(false);
    expect(result.reason).toContain('the subject has no tenant');
  });

  it('an empty tenant id on the subject counts as no tenant', () => {
    expect(engine().check({ id: 'x', tenantId: '', roles: ['support'] }, 'wallet:read:*', { tenantId: '' }).allowed).toBe(false);
  });

  it('a tenant rule covers own resources, which live in the subject tenant', () => {
    expect(engine().check(sam, 'wallet:read:own').allowed).toBe(true);
  });

  it('an own rule does not cover a whole-tenant request', () => {
    expect(engine().check(alice, 'wallet:read:tenant').allowed).toBe(false);
  });

  it('a wildcard target allows any instance, with or without a descriptor', () => {
    const e = engine();
    expect(e.check(alice, 'transfer:create:*').allowed).toBe(true);
    expect(e.check(alice, 'transfer:create:tr-1', { ownerId: 'bob', tenantId: 't9' }).allowed).toBe(true);
  });

  it('an explicit id rule allows that instance only', () => {
    const e = engine();
    const desk = { id: 'd', tenantId: 't1', roles: ['vip-desk'] };
    expect(e.check(desk, 'wallet:read:w-vip').allowed).toBe(true);
    expect(e.check(desk, 'wallet:read:w-other').allowed).toBe(false);
    expect(e.check(desk, 'wallet:read:*', { id: 'w-vip' }).allowed).toBe(true);
    expect(e.check(desk, 'wallet:read:*').missing).toEqual(['id']);
  });

  it('a wildcard resource or action segment covers every value of that segment only', () => {
    const e = new AccessEngine();
    e.addRole({ name: 'reader', permissions: ['*:read:*'] });
    e.addRole({ name: 'wallet-admin', permissions: ['wallet:*:*'] });
    const reader = { id: 'r', roles: ['reader'] };
    const walletAdmin = { id: 'w', roles: ['wallet-admin'] };
    expect(e.check(reader, 'wallet:read:*').allowed).toBe(true);
    expect(e.check(reader, 'user:read:*').allowed).toBe(true);
    expect(e.check(reader, 'wallet:update:*').allowed).toBe(false);
    expect(e.check(walletAdmin, 'wallet:close:*').allowed).toBe(true);
    expect(e.check(walletAdmin, 'user:read:*').allowed).toBe(false);
  });

  it('a request about every resource is allowed only by a wildcard rule', () => {
    const e = new AccessEngine();
    e.addRole({ name: 'reader', permissions: ['wallet:read:*'] });
    e.addRole({ name: 'root', permissions: ['*:*:*'] });
    expect(e.check({ id: 'a', roles: ['reader'] }, '*:read:*').allowed).toBe(false);
    expect(e.check({ id: 'b', roles: ['root'] }, '*:read:*').allowed).toBe(true);
  });

  it('a subject with no matching rule is denied with a reason naming the resource and action', () => {
    const result = engine().check(alice, 'ledger:export:*');
    expect(result.allowed).toBe(false);
    expect(result.reason).toContain('covers "ledger:export"');
  });
});
