import { describe, expect, it } from 'vitest';
import { errorCode, startAuth, uniqueEmail } from './support/harness.js';

const USERS = `query($first: Int, $after: String, $filter: UserFilter) {
  users(first: $first, after: $after, filter: $filter) {
    totalCount nodes { id email status roles } edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

describe('users listing and lookups', () => {
  it('pages through the tenant with opaque cursors, filtered by status, role and email prefix', async () => {
    const auth = await startAuth();
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const token = { token: admin.accessToken };
    const members = [];
    for (let i = 0; i < 5; i++) members.push(await auth.register(uniqueEmail(`member${i}`)));
    const supportUser = await auth.userWithRoles(uniqueEmail('helpdesk'), ['support']);
    await auth.service.deps.users.collection.updateOne({ id: members[0]!.user.id }, { $set: { status: 'suspended' } });

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: any = await auth.gql(USERS, { first: 3, after }, token);
      expect(res.data.users.totalCount).toBe(7);
      seen.push(...res.data.users.nodes.map((n: { id: string }) => n.id));
      after = res.data.users.pageInfo.hasNextPage ? res.data.users.pageInfo.endCursor : null;
      pages++;
    } while (after !== null);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);

    const suspended = await auth.gql(USERS, { filter: { status: 'SUSPENDED' } }, token);
    expect(suspended.data?.users.nodes.map((n: { id: string }) => n.id)).toEqual([members[0]!.user.id]);
    const support = await auth.gql(USERS, { filter: { role: 'support' } }, token);
    expect(support.data?.users.nodes.map((n: { id: string }) => n.id)).toEqual([supportUser.user.id]);
    const prefix = await auth.gql(USERS, { filter: { emailPrefix: 'MEMBER3.' } }, token);
    expect(prefix.data?.users.nodes.map((n: { id: string }) => n.id)).toEqual([members[3]!.user.id]);
    // Regex characters in the prefix are literal.
    expect((await auth.gql(USERS, { filter: { emailPrefix: '.*' } }, token)).data?.users.totalCount).toBe(0);
  });

  it('is for admins: support and users are refused, a tampered cursor is bad input', async () => {
    const auth = await startAuth();
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const supportUser = await auth.userWithRoles(uniqueEmail('helpdesk'), ['support']);
    expect(errorCode(await auth.gql(USERS, {}, { token: supportUser.accessToken }))).toBe('FORBIDDEN');
    expect(errorCode(await auth.gql(USERS, {}))).toBe('UNAUTHENTICATED');
    expect(errorCode(await auth.gql(USERS, { after: 'v1.forged.cursor' }, { token: admin.accessToken }))).toBe('BAD_USER_INPUT');
  });

  it('me, user(id) for support and self, and errorCodes', async () => {
    const auth = await startAuth();
    const member = await auth.register(uniqueEmail());
    const other = await auth.register(uniqueEmail());
    const supportUser = await auth.userWithRoles(uniqueEmail('helpdesk'), ['support']);
    expect((await auth.gql(`{ me { id email } }`, {}, { token: member.accessToken })).data?.me.id).toBe(member.user.id);
    expect((await auth.gql(`{ me { id } }`)).data?.me).toBeNull();
    const USER = `query($id: ID!) { user(id: $id) { id } }`;
    expect((await auth.gql(USER, { id: member.user.id }, { token: member.accessToken })).data?.user.id).toBe(member.user.id);
    expect(errorCode(await auth.gql(USER, { id: other.user.id }, { token: member.accessToken }))).toBe('FORBIDDEN');
    expect((await auth.gql(USER, { id: other.user.id }, { token: supportUser.accessToken })).data?.user.id).toBe(other.user.id);
    const codes = (await auth.gql(`{ errorCodes }`)).data?.errorCodes as string[];
    expect(codes).toEqual(expect.arrayContaining(['MSAuthInvalidCredentials', 'MSAuthRefreshTokenReused', 'UNAUTHENTICATED', 'FORBIDDEN']));
  });
});
