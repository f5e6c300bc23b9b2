import { randomUUID } from 'node:crypto';
import type { AuthDeps } from './deps.js';
import { normalizeEmail } from './domain/email.js';
import { hashPassword } from './domain/password-hash.js';
import type { UserRecord } from './domain/user.js';
import { AUTH_EVENTS } from './events/auth-events.js';

export interface DemoAccount {
  email: string;
  password: string;
  roles: string[];
  displayName: string;
}

export interface DemoSeed {
  tenantId: string;
  accounts: (DemoAccount & { id: string; created: boolean })[];
}

export const DEMO_TENANT_ID = 'demo';
export const DEMO_PASSWORD = 'demo-password-2026';

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'admin@demo.local', password: DEMO_PASSWORD, roles: ['admin'], displayName: 'Demo Admin' },
  { email: 'alice@demo.local', password: DEMO_PASSWORD, roles: ['user'], displayName: 'Alice' },
  { email: 'bob@demo.local', password: DEMO_PASSWORD, roles: ['user'], displayName: 'Bob' },
];

/**
 * Creates the demo tenant, its admin and two users unless they exist (used by `npm start`).
 * Idempotent: a second run finds everything by tenant and email and changes nothing, so
 * passwords or roles edited since are left alone.
 */
export async function seedDemoTenant(deps: AuthDeps, tenantId = DEMO_TENANT_ID, accounts: readonly DemoAccount[] = DEMO_ACCOUNTS): Promise<DemoSeed> {
  const now = new Date(deps.clock.now());
  await deps.tenants.create({ id: tenantId, name: 'Demo', createdAt: now, createdBy: 'seed' });
  const seeded: DemoSeed['accounts'] = [];
  for (const account of accounts) {
    const emailNormalized = normalizeEmail(account.email);
    const existing = await deps.users.findByEmail(tenantId, emailNormalized);
    if (existing !== null) {
      seeded.push({ ...account, id: existing.id, created: false });
      continue;
    }
    const user: UserRecord = {
      id: randomUUID(),
      tenantId,
      email: account.email,
      emailNormalized,
      phone: null,
      displayName: account.displayName,
      passwordHash: await hashPassword(account.password, deps.settings.scrypt),
      roles: account.roles,
      grants: [],
      denies: [],
      status: 'active',
      emailVerifiedAt: now,
      createdAt: now,
      updatedAt: now,
    };
    // Upsert on (tenant, email) rather than insert: two launchers seeding at once still make one user.
    const result = await deps.users.collection.updateOne({ tenantId, emailNormalized }, { $setOnInsert: user }, { upsert: true });
    const id = result.upsertedCount === 1 ? user.id : ((await deps.users.findByEmail(tenantId, emailNormalized))?.id ?? user.id);
    // Announced like a registration, so read models of users (payment-service) know the demo accounts.
    if (result.upsertedCount === 1)
      await deps.events.emit(AUTH_EVENTS.UserRegistered, tenantId, user.id, { email: user.email, displayName: user.displayName, status: user.status, createdAt: now.toISOString() });
    seeded.push({ ...account, id, created: result.upsertedCount === 1 });
  }
  return { tenantId, accounts: seeded };
}
