import { type } from 'arktype';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createValidationChain, type PermissionChecker, type SubgraphUser, type ValidationContext } from '../../src/graphql/index.js';

const alice: SubgraphUser = {
  id: 'alice',
  tenantId: 'tenant-a',
  roles: ['user'],
  permissions: ['user:update:own'],
  sessionId: 's-1',
};
const admin: SubgraphUser = { ...alice, id: 'root', roles: ['admin'], permissions: ['*:*:*'] };

/** Stand-in for the access engine: wildcard segments, `own` matched against the resource owner. */
const can: PermissionChecker = (user, urn, resource) =>
  user.permissions.some((granted) => {
    const want = urn.split(':');
    return granted.split(':').every((part, i) => {
      if (part === '*') return true;
      if (part === 'own' && i === 2) return resource?.ownerId === user.id;
      return part === want[i];
    });
  });

const briefChain = createValidationChain({ can })
  .requireAuth()
  .extractInput()
  .requirePermission('user', 'update', '*')
  .requireFields(['userId', 'roles'], 'input')
  .validateTypes({ roles: 'array' }, 'input')
  .build();

describe('createValidationChain', () => {
  it('passes the brief example for an admin and hands back the extracted input', async () => {
    const result = await briefChain.handle({ args: { input: { userId: 'bob', roles: ['user'] } }, ctx: { user: admin } });
    expect(result).toEqual({ valid: true, input: { userId: 'bob', roles: ['user'] }, user: admin });
  });

  it('stops an anonymous caller with UNAUTHENTICATED before any permission lookup', async () => {
    let lookups = 0;
    const chain = createValidationChain({ can: () => (lookups++, true) })
      .requireAuth()
      .requirePermission('user', 'update')
      .build();
    const result = await chain.handle({ args: {}, ctx: { user: null } });
    expect(result).toMatchObject({ valid: false, code: 'UNAUTHENTICATED' });
    expect(lookups).toBe(0);
  });

  it('refuses a user without the permission with FORBIDDEN', async () => {
    const result = await briefChain.handle({ args: { input: { userId: 'bob', roles: [] } }, ctx: { user: alice } });
    expect(result).toMatchObject({ valid: false, code: 'FORBIDDEN', error: 'Missing permission user:update:*' });
  });

  it('passes the described resource to the checker for own-target permissions', async () => {
    const chain = createValidationChain({ can })
      .requireAuth()
      .extractInput()
      .requirePermission('user', 'update', 'own', (input) => ({ ownerId: String(input['userId']) }))
      .build();
    expect((await chain.handle({ args: { input: { userId: 'alice' } }, ctx: { user: alice } })).valid).toBe(true);
    expect((await chain.handle({ args: { input: { userId: 'bob' } }, ctx: { user: alice } })).valid).toBe(false);
  });

  it('prefers the checker the request context brings', async () => {
    const chain = createValidationChain({ can: () => false })
      .requirePermission('wallet', 'read')
      .build();
    const ctx: ValidationContext = { user: alice, can: () => true };
    expect((await chain.handle({ args: {}, ctx })).valid).toBe(true);
  });

  it('treats a missing permission checker as a wiring bug, not a denial', async () => {
    const chain = createValidationChain().requirePermission('wallet', 'read').build();
    await expect(chain.handle({ args: {}, ctx: { user: alice } })).rejects.toThrow(/no permission checker/);
  });

  it('lists every missing field with BAD_USER_INPUT, blank strings counting as missing', async () => {
    const result = await briefChain.handle({ args: { input: { userId: '  ' } }, ctx: { user: admin } });
    expect(result).toMatchObject({
      valid: false,
      code: 'BAD_USER_INPUT',
      fields: [
        { path: 'userId', message: 'must be provided', code: 'required' },
        { path: 'roles', message: 'must be provided', code: 'required' },
      ],
    });
  });

  it('lists every field of the wrong type with BAD_USER_INPUT', async () => {
    const chain = createValidationChain().extractInput().validateTypes({ roles: 'array', age: 'number.integer > 0', email: 'string.email' }).build();
    const result = await chain.handle({ args: { input: { roles: 'admin', age: 1.5, email: 'not-mail' } }, ctx: {} });
    if (result.valid) throw new Error('expected a failure');
    expect(result.code).toBe('BAD_USER_INPUT');
    expect(result.fields?.map((f) => f.path).sort()).toEqual(['age', 'email', 'roles']);
    // Inputs can hold secrets and error payloads end up in logs: values are never echoed.
    expect(JSON.stringify(result.fields) + result.error).not.toContain('not-mail');
    expect(result.graphqlError).toBeInstanceOf(GraphQLError);
    expect(result.graphqlError.extensions['fields']).toEqual(result.fields);
  });

  it('accepts a whole arktype schema', async () => {
    const chain = createValidationChain()
      .extractInput()
      .validateTypes(type({ amount: 'number.safe', currency: '/^[A-Z]{3}$/' }))
      .build();
    expect((await chain.handle({ args: { input: { amount: 100, currency: 'EUR' } }, ctx: {} })).valid).toBe(true);
    const bad = await chain.handle({ args: { input: { amount: 100, currency: 'euro' } }, ctx: {} });
    expect(bad).toMatchObject({ valid: false, fields: [{ path: 'currency' }] });
  });

  it('rejects a type definition typo when the chain is built, not per request', () => {
    expect(() => createValidationChain().validateTypes({ roles: 'arary' })).toThrow();
  });

  it('checks args directly when told to', async () => {
    const chain = createValidationChain().requireFields(['id'], 'args').validateTypes({ id: 'string' }, 'args').build();
    expect((await chain.handle({ args: { id: 'w-1' }, ctx: {} })).valid).toBe(true);
    expect((await chain.handle({ args: { id: 7 }, ctx: {} })).valid).toBe(false);
  });

  it('runs custom rules and stops at the first failure', async () => {
    const seen: string[] = [];
    const chain = createValidationChain()
      .custom(() => {
        seen.push('first');
        return { code: 'MSTestNope', message: 'nope' };
      })
      .custom(() => {
        seen.push('second');
      })
      .build();
    expect(await chain.handle({ args: {}, ctx: {} })).toMatchObject({ valid: false, code: 'MSTestNope', error: 'nope' });
    expect(seen).toEqual(['first']);
  });

  it('enforce throws the coded error and returns the input on success', async () => {
    await expect(briefChain.enforce({ args: { input: { userId: 'bob' } }, ctx: { user: null } })).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED' },
    });
    await expect(briefChain.enforce({ args: { input: { userId: 'bob', roles: [] } }, ctx: { user: admin } })).resolves.toEqual({
      userId: 'bob',
      roles: [],
    });
  });
});
