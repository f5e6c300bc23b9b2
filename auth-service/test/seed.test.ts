import { describe, expect, it } from 'vitest';
import { seedDemoTenant } from '../src/seed.js';
import { startAuth } from './support/harness.js';

describe('demo seed', () => {
  it('creates the tenant, an admin and two users once, and can log them in', async () => {
    const auth = await startAuth();
    const tenantId = `${auth.tenantId}-demo`;
    const first = await seedDemoTenant(auth.service.deps, tenantId);
    const second = await seedDemoTenant(auth.service.deps, tenantId);
    expect(first.accounts.map((a) => a.created)).toEqual([true, true, true]);
    expect(second.accounts.map((a) => a.created)).toEqual([false, false, false]);
    expect(second.accounts.map((a) => a.id)).toEqual(first.accounts.map((a) => a.id));
    expect(await auth.service.deps.users.collection.countDocuments({ tenantId })).toBe(3);
    const admin = first.accounts[0]!;
    const login = await auth.login(admin.email, { tenantId, password: admin.password });
    expect(login.data?.login.user.roles).toEqual(['admin']);
  });
});
