import { describe, expect, it } from 'vitest';
import { eventually, startAuth, uniqueEmail } from './support/harness.js';

const SET_STATUS = `mutation($u: ID!, $s: UserStatus!) { setUserStatus(userId: $u, status: $s) { id status } }`;

describe('user events for read models in other services', () => {
  it('a registration and a status change carry the status and the instant they were written', async () => {
    const auth = await startAuth();
    const admin = await auth.userWithRoles(uniqueEmail('admin'), ['admin']);
    const member = await auth.register(uniqueEmail());
    await auth.gql(SET_STATUS, { u: member.user.id, s: 'SUSPENDED' }, { token: admin.accessToken });
    const registered = await eventually(async () => (await auth.events('user.registered')).find((e) => e.userId === member.user.id));
    expect(registered.data).toMatchObject({ email: member.user.email, status: 'active', createdAt: expect.any(String) });
    const changed = await eventually(async () => (await auth.events('user.status_changed')).find((e) => e.userId === member.user.id));
    expect(changed.data).toMatchObject({ from: 'active', to: 'suspended', updatedAt: expect.any(String) });
    expect(Date.parse(changed.data.updatedAt)).toBeGreaterThanOrEqual(Date.parse(registered.data.createdAt));
  });

  it("a backfill request is answered with a snapshot of the tenant's users, without secrets, then a completion", async () => {
    const auth = await startAuth();
    const other = `other-${auth.fixture.id}`;
    await auth.createTenant(other);
    const [alice, bob] = [await auth.register(uniqueEmail('alice')), await auth.register(uniqueEmail('bob'))];
    const stranger = await auth.register(uniqueEmail('stranger'), { tenantId: other });

    await auth.service.deps.events.emit('users.backfill_requested', auth.tenantId, null, { backfillId: 'b-1', tenantId: auth.tenantId });
    const completed = await eventually(async () => (await auth.events('users.backfill_completed')).find((e) => e.data.backfillId === 'b-1'));
    expect(completed.data).toMatchObject({ tenantId: auth.tenantId, users: 2 });

    const snapshots = (await auth.events('user.snapshot')).filter((e) => e.data.backfillId === 'b-1');
    expect(snapshots.map((e) => String(e.userId)).sort()).toEqual([alice.user.id, bob.user.id].sort());
    expect(snapshots.map((e) => e.userId)).not.toContain(stranger.user.id);
    expect(snapshots[0]!.data).toEqual({ backfillId: 'b-1', phone: null, email: expect.any(String), displayName: expect.any(String), status: 'active', updatedAt: expect.any(String) });
    expect(JSON.stringify(snapshots)).not.toMatch(/passwordHash|scrypt/);
  });
});
