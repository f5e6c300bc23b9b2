import { describe, expect, it } from 'vitest';
import { decodeClaims, errorCode, eventually, startAuth, uniqueEmail, AUTH_FIELDS } from './support/harness.js';

const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { ${AUTH_FIELDS} } }`;
const ASSIGN = `mutation($u: ID!, $r: String!) { assignRole(userId: $u, role: $r) { id roles } }`;
const REVOKE = `mutation($u: ID!, $r: String!) { revokeRole(userId: $u, role: $r) { id roles } }`;
const UPSERT = `mutation($input: RoleInput!) { upsertRole(input: $input) { name permissions inherits tenantSpecific } }`;

describe('roles', () => {
  it('stores the default roles and lists them for admins', async () => {
    const auth = await startAuth();
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const res = await auth.gql(`{ roles { name inherits tenantSpecific } }`, {}, { token: admin.accessToken });
    expect(res.data?.roles.map((r: { name: string }) => r.name)).toEqual(['admin', 'support', 'system', 'user']);
    const user = await auth.register(uniqueEmail());
    expect(errorCode(await auth.gql(`{ roles { name } }`, {}, { token: user.accessToken }))).toBe('FORBIDDEN');
  });

  it('a role assignment shows in a new login at once and in an open session after its refresh', async () => {
    const auth = await startAuth();
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const member = await auth.register(uniqueEmail('member'));
    const assigned = await auth.gql(ASSIGN, { u: member.user.id, r: 'support' }, { token: admin.accessToken });
    expect(assigned.data?.assignRole.roles).toEqual(['user', 'support']);
    // The open session's access token still says what it said…
    expect(decodeClaims(member.accessToken).roles).toEqual(['user']);
    // …until it is refreshed.
    const refreshed = (await auth.gql(REFRESH, { t: member.refreshToken })).data!.refreshToken;
    expect(decodeClaims(refreshed.accessToken).roles).toEqual(['support', 'user']);
    expect(decodeClaims(refreshed.accessToken).permissions).toContain('user:read:tenant');
    const event = await eventually(async () => (await auth.events('user.role_changed')).find((e) => e.userId === member.user.id));
    expect(event.data).toMatchObject({ role: 'support', change: 'assign' });

    await auth.gql(REVOKE, { u: member.user.id, r: 'support' }, { token: admin.accessToken });
    const fresh = await auth.login(member.user.email);
    expect(decodeClaims(fresh.data!.login.accessToken).roles).toEqual(['user']);
  });

  it('an edited role changes the permissions of the next token, also on another instance', async () => {
    const first = await startAuth();
    const second = await startAuth({ sharing: first });
    const admin = await first.userWithRoles(uniqueEmail('admin'), ['admin']);
    const member = await first.register(uniqueEmail('member'));
    // Warm the second instance's engine for this tenant, so only the invalidation can refresh it.
    const warm = (await second.gql(REFRESH, { t: member.refreshToken })).data!.refreshToken;
    expect(decodeClaims(warm.accessToken).permissions).not.toContain('report:export:own');

    const edited = await first.gql(UPSERT, { input: { name: 'user', permissions: ['wallet:read:own', 'report:export:own'], inherits: [] } }, { token: admin.accessToken });
    expect(edited.data?.upsertRole).toMatchObject({ name: 'user', tenantSpecific: true });
    const after = await eventually(async () => {
      const login = await second.login(member.user.email);
      const permissions = decodeClaims(login.data!.login.accessToken).permissions;
      return permissions.includes('report:export:own') ? permissions : undefined;
    });
    expect(after).not.toContain('transfer:create:own');
  });

  it('a tenant admin cannot write roles that reach beyond the tenant or escalate to system', async () => {
    const auth = await startAuth();
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const member = await auth.register(uniqueEmail('member'));
    for (const input of [
      { name: 'reader', permissions: ['wallet:read:*'] },
      { name: 'auditor', permissions: ['wallet:read:w-123'] },
      { name: 'root', permissions: ['user:read:own'], inherits: ['system'] },
      { name: 'system', permissions: ['*:*:*'] },
    ]) {
      expect(errorCode(await auth.gql(UPSERT, { input }, { token: admin.accessToken }))).toBe('MSAuthRoleNotAllowed');
    }
    expect(errorCode(await auth.gql(ASSIGN, { u: member.user.id, r: 'system' }, { token: admin.accessToken }))).toBe('MSAuthRoleNotAllowed');
    expect(errorCode(await auth.gql(ASSIGN, { u: member.user.id, r: 'no-such-role' }, { token: admin.accessToken }))).toBe('MSAuthRoleNotFound');
    expect(errorCode(await auth.gql(UPSERT, { input: { name: 'loop', permissions: [], inherits: ['nope'] } }, { token: admin.accessToken }))).toBe('MSAuthInvalidRole');
  });

  it('a plain user cannot assign roles, not even to themself', async () => {
    const auth = await startAuth();
    const member = await auth.register(uniqueEmail());
    expect(errorCode(await auth.gql(ASSIGN, { u: member.user.id, r: 'admin' }, { token: member.accessToken }))).toBe('FORBIDDEN');
  });
});

describe('tenant isolation', () => {
  it('an admin of tenant A cannot read, list, change roles or status of users in tenant B', async () => {
    const auth = await startAuth();
    const tenantB = `${auth.tenantId}-b`;
    await auth.createTenant(tenantB);
    const adminA = await auth.userWithRoles(uniqueEmail('admin-a'), ['admin']);
    const userB = await auth.register(uniqueEmail('user-b'), { tenantId: tenantB });
    const token = { token: adminA.accessToken };
    expect(errorCode(await auth.gql(`query($id: ID!) { user(id: $id) { id } }`, { id: userB.user.id }, token))).toBe('FORBIDDEN');
    expect(errorCode(await auth.gql(ASSIGN, { u: userB.user.id, r: 'support' }, token))).toBe('FORBIDDEN');
    expect(errorCode(await auth.gql(REVOKE, { u: userB.user.id, r: 'user' }, token))).toBe('FORBIDDEN');
    expect(errorCode(await auth.gql(`mutation($u: ID!) { setUserStatus(userId: $u, status: SUSPENDED) { id } }`, { u: userB.user.id }, token))).toBe('FORBIDDEN');
    expect(errorCode(await auth.gql(`query($t: ID!) { users(filter: { tenantId: $t }) { totalCount } }`, { t: tenantB }, token))).toBe('FORBIDDEN');
    const unchanged = await auth.service.deps.users.findById(userB.user.id);
    expect(unchanged).toMatchObject({ roles: ['user'], status: 'active' });
  });

  it('only a platform operator (system) creates tenants', async () => {
    const auth = await startAuth();
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const operator = await auth.userWithRoles(uniqueEmail('operator'), ['system']);
    const CREATE = `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id name } }`;
    const input = { id: `${auth.tenantId}-new`, name: 'New Co' };
    expect(errorCode(await auth.gql(CREATE, { input }, { token: admin.accessToken }))).toBe('FORBIDDEN');
    expect(errorCode(await auth.gql(CREATE, { input }))).toBe('UNAUTHENTICATED');
    expect((await auth.gql(CREATE, { input }, { token: operator.accessToken })).data?.createTenant).toEqual(input);
    expect(errorCode(await auth.gql(CREATE, { input }, { token: operator.accessToken }))).toBe('MSAuthTenantExists');
    const newcomer = await auth.register(uniqueEmail(), { tenantId: input.id });
    expect(newcomer.user.tenantId).toBe(input.id);
  });
});
