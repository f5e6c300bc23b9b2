import { createMongoAbility, subject as caslSubject, type MongoAbility } from '@casl/ability';
import { DefaultRoleManager, newEnforcer, newModelFromString, StringAdapter, type Enforcer } from 'casbin';
import { AccessEngine, type CompiledAccess } from '../src/index.js';
import { expandUserRules, type BenchPolicy, type BenchRule, type BenchUser } from './policy.js';

const urnOf = (r: BenchRule): string => `${r.resource}:${r.action}:${r.target}`;

export function buildAccessEngine(policy: BenchPolicy): AccessEngine {
  const engine = new AccessEngine();
  for (const role of policy.roles) {
    engine.addRole({
      name: role.name,
      permissions: role.rules.filter((r) => r.effect === 'allow').map(urnOf),
      denies: role.rules.filter((r) => r.effect === 'deny').map(urnOf),
      inherits: role.inherits,
    });
  }
  for (const user of policy.users) {
    for (const rule of user.acl) {
      if (rule.effect === 'allow') engine.grant(user.id, urnOf(rule));
      else engine.deny(user.id, urnOf(rule));
    }
  }
  return engine;
}

/** Subjects as a JWT-driven service would hold them: roles carried on the subject. */
export function subjectOf(user: BenchUser): { id: string; tenantId: string; roles: readonly string[] } {
  return { id: user.id, tenantId: user.tenantId, roles: user.roles };
}

export function compileAll(engine: AccessEngine, policy: BenchPolicy): Map<string, CompiledAccess> {
  return new Map(policy.users.map((u) => [u.id, engine.compile(subjectOf(u))]));
}

/**
 * CASL has no role inheritance, so each user's ability is built from the user's expanded
 * rules, the way CASL applications do it. `*` maps to CASL's `manage` / `all`; own and tenant
 * become Mongo-style conditions; denies are inverted rules placed last, because in CASL a later
 * rule takes precedence, which gives "deny beats allow".
 */
export function buildCaslAbilities(policy: BenchPolicy): Map<string, MongoAbility> {
  const out = new Map<string, MongoAbility>();
  for (const user of policy.users) {
    const rules = expandUserRules(policy, user);
    const raw = [...rules.filter((r) => r.effect === 'allow'), ...rules.filter((r) => r.effect === 'deny')].map((r) => ({
      action: r.action === '*' ? 'manage' : r.action,
      subject: r.resource === '*' ? 'all' : r.resource,
      inverted: r.effect === 'deny',
      ...(r.target === 'own' ? { conditions: { ownerId: user.id } } : r.target === 'tenant' ? { conditions: { tenantId: user.tenantId } } : {}),
    }));
    out.set(user.id, createMongoAbility(raw));
  }
  return out;
}

export function caslObject(resource: string, descriptor: { ownerId: string; tenantId: string }): object {
  return caslSubject(resource, { ownerId: descriptor.ownerId, tenantId: descriptor.tenantId });
}

const CASBIN_MODEL = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, res, act, cond, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub.id, p.sub) && (p.res == "*" || r.obj.type == p.res) && (p.act == "*" || r.act == p.act) && (p.cond == "*" || (p.cond == "own" && r.obj.ownerId == r.sub.id) || (p.cond == "tenant" && r.obj.tenantId == r.sub.tenantId))
`;

/**
 * casbin encodes inheritance natively (`g, role, parent`) and user ACL entries as policies whose
 * subject is the user id (`g(x, x)` holds in casbin's role manager).
 */
export async function buildCasbinEnforcer(policy: BenchPolicy): Promise<Enforcer> {
  const lines: string[] = [];
  const p = (sub: string, r: BenchRule): void => {
    lines.push(`p, ${sub}, ${r.resource}, ${r.action}, ${r.target}, ${r.effect}`);
  };
  for (const role of policy.roles) {
    for (const r of role.rules) p(role.name, r);
    for (const parent of role.inherits) lines.push(`g, ${role.name}, ${parent}`);
  }
  for (const user of policy.users) {
    for (const r of user.acl) p(user.id, r);
    for (const role of user.roles) lines.push(`g, ${user.id}, ${role}`);
  }
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL), new StringAdapter(lines.join('\n')));
  // casbin's default role manager stops at 10 levels; the generated chains are deeper, and a
  // truncated hierarchy would give casbin different answers (and less work) than the others.
  enforcer.setRoleManager(new DefaultRoleManager(1_000));
  await enforcer.buildRoleLinks();
  return enforcer;
}
