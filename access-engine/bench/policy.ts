/**
 * The benchmark's policy, generated once from a fixed seed and then encoded three ways
 * (access-engine, CASL, casbin) so all three answer the same questions about the same rules.
 */

export interface BenchRule {
  readonly resource: string; // '*' or a name
  readonly action: string; // '*' or a name
  readonly target: '*' | 'own' | 'tenant';
  readonly effect: 'allow' | 'deny';
}

export interface BenchRole {
  readonly name: string;
  readonly rules: readonly BenchRule[];
  readonly inherits: readonly string[];
}

export interface BenchUser {
  readonly id: string;
  readonly tenantId: string;
  readonly roles: readonly string[];
  readonly acl: readonly BenchRule[];
}

export interface BenchCheck {
  readonly user: BenchUser;
  readonly resource: string;
  readonly action: string;
  /** `${resource}:${action}:*`, the instance described by `descriptor`. */
  readonly urn: string;
  readonly descriptor: { readonly ownerId: string; readonly tenantId: string };
}

export interface BenchPolicy {
  readonly roles: readonly BenchRole[];
  readonly users: readonly BenchUser[];
  readonly checks: readonly BenchCheck[];
  readonly ruleCount: number;
}

/** mulberry32: tiny, seedable, good enough to make the policy reproducible run to run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const RESOURCES = [
  'wallet',
  'transfer',
  'transaction',
  'deposit',
  'withdrawal',
  'hold',
  'user',
  'session',
  'role',
  'bonus',
  'bonus-template',
  'award',
  'notification',
  'template',
  'preference',
  'webhook',
  'report',
  'config',
  'tenant',
  'brand',
] as const;
export const ACTIONS = ['read', 'list', 'create', 'update', 'delete', 'approve'] as const;
const TENANTS = ['t1', 't2', 't3', 't4', 't5'];

export function generatePolicy(options: { roles?: number; users?: number; checks?: number; seed?: number } = {}): BenchPolicy {
  const random = rng(options.seed ?? 20_261_122);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const roleCount = options.roles ?? 200;
  const userCount = options.users ?? 500;
  const checkCount = options.checks ?? 10_000;
  let ruleCount = 0;

  const randomRule = (effect: 'allow' | 'deny'): BenchRule => {
    const r = random();
    const target = r < 0.4 ? 'own' : r < 0.75 ? 'tenant' : '*';
    return {
      resource: random() < 0.02 ? '*' : pick(RESOURCES),
      action: random() < 0.06 ? '*' : pick(ACTIONS),
      // Denies are mostly narrow, as real ones are ("no deletes on others' wallets").
      target: effect === 'deny' ? (random() < 0.5 ? 'own' : 'tenant') : target,
      effect,
    };
  };

  const roles: BenchRole[] = [];
  for (let i = 0; i < roleCount; i++) {
    const rules: BenchRule[] = [];
    for (let k = 0; k < 5; k++) rules.push(randomRule('allow'));
    if (i % 7 === 3) rules.push(randomRule('deny'));
    // Inherit from 1-2 recent roles: chains of moderate depth, with diamonds, no cycles.
    const inherits = new Set<string>();
    if (i >= 10) {
      const n = 1 + Math.floor(random() * 2);
      for (let k = 0; k < n; k++) inherits.add(`role-${i - 1 - Math.floor(random() * Math.min(i, 20))}`);
    }
    roles.push({ name: `role-${i}`, rules, inherits: [...inherits] });
    ruleCount += rules.length;
  }

  const users: BenchUser[] = [];
  for (let i = 0; i < userCount; i++) {
    const held = new Set<string>();
    const n = 1 + Math.floor(random() * 3);
    for (let k = 0; k < n; k++) held.add(pick(roles).name);
    const acl: BenchRule[] = [];
    if (i % 8 === 0) acl.push(randomRule('allow'));
    if (i % 16 === 5) acl.push(randomRule('deny'));
    ruleCount += acl.length;
    users.push({ id: `user-${i}`, tenantId: pick(TENANTS), roles: [...held], acl });
  }

  const checks: BenchCheck[] = [];
  for (let i = 0; i < checkCount; i++) {
    const user = pick(users);
    const resource = pick(RESOURCES);
    const action = pick(ACTIONS);
    const ownerId = random() < 0.35 ? user.id : pick(users).id;
    const tenantId = random() < 0.6 ? user.tenantId : pick(TENANTS);
    checks.push({ user, resource, action, urn: `${resource}:${action}:*`, descriptor: { ownerId, tenantId } });
  }
  return { roles, users, checks, ruleCount };
}

/** Every rule a user ends up with through roles (transitively) and ACL: what CASL must be given. */
export function expandUserRules(policy: BenchPolicy, user: BenchUser): BenchRule[] {
  const byName = new Map(policy.roles.map((r) => [r.name, r]));
  const seen = new Set<string>();
  const out: BenchRule[] = [...user.acl];
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const role = byName.get(name);
    if (role === undefined) return;
    out.push(...role.rules);
    role.inherits.forEach(visit);
  };
  user.roles.forEach(visit);
  return out;
}
