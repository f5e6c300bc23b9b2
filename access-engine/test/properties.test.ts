import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AccessEngine, type PolicyDocument, type ResourceDescriptor, type RoleInput, type Subject } from '../src/index.js';

/*
 * Small alphabets on purpose: collisions between rules, requests and descriptors are what
 * exercise precedence, wildcards and containment; wide random strings would almost never meet.
 */
const RESOURCES = ['wallet', 'transfer', 'user'] as const;
const ACTIONS = ['read', 'create', 'delete'] as const;
const IDS = ['w1', 'w2'] as const;
const SUBJECT_IDS = ['u1', 'u2'] as const;
const TENANTS = ['t1', 't2'] as const;
const SCOPES = ['t1', 't1/a', 't1/a/x', 't1/ab', 't1/b', 't2', 't2/a'] as const;

const ruleResource = fc.constantFrom<string>(...RESOURCES, '*');
const ruleAction = fc.constantFrom<string>(...ACTIONS, '*');
const ruleTarget = fc.constantFrom<string>('*', 'own', 'tenant', ...IDS);
const ruleUrn = fc.tuple(ruleResource, ruleAction, ruleTarget).map(([r, a, t]) => `${r}:${a}:${t}`);
const optionalScope = fc.option(fc.constantFrom<string>(...SCOPES), { nil: undefined, freq: 2 });

interface Request {
  readonly urn: string;
  readonly resource: string;
  readonly action: string;
  readonly target: string;
}

const request: fc.Arbitrary<Request> = fc
  .tuple(fc.constantFrom<string>(...RESOURCES, '*'), fc.constantFrom<string>(...ACTIONS), fc.constantFrom<string>('*', 'own', 'tenant', ...IDS))
  .map(([resource, action, target]) => ({ urn: `${resource}:${action}:${target}`, resource, action, target }));

const descriptor: fc.Arbitrary<ResourceDescriptor | undefined> = fc.option(
  fc.record(
    {
      id: fc.constantFrom<string>(...IDS),
      ownerId: fc.constantFrom<string>(...SUBJECT_IDS, 'u3'),
      tenantId: fc.constantFrom<string>(...TENANTS),
      scope: fc.constantFrom<string>(...SCOPES),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined, freq: 4 },
);

const roleNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `r${i}`);

/** Roles r0..rN; ri inherits only from rj with j < i, so the graph is acyclic by construction. */
const roles: fc.Arbitrary<RoleInput[]> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.tuple(
    ...roleNames(n).map((name, i) =>
      fc.record({
        name: fc.constant(name),
        permissions: fc.array(ruleUrn, { maxLength: 3 }),
        denies: fc.array(ruleUrn, { maxLength: 1 }).chain((d) => fc.constantFrom(d, d, d, [])),
        inherits: i === 0 ? fc.constant([]) : fc.subarray(roleNames(i), { maxLength: Math.min(2, i) }),
      }),
    ),
  ),
);

const aclEntry = fc.record({ subjectId: fc.constantFrom<string>(...SUBJECT_IDS), urn: ruleUrn, scope: optionalScope });

const policy: fc.Arbitrary<PolicyDocument> = roles
  .chain((rs) =>
    fc.record({
      format: fc.constant(1 as const),
      version: fc.constant(0),
      roles: fc.constant(rs),
      assignments: fc.array(fc.record({ subjectId: fc.constantFrom<string>(...SUBJECT_IDS), role: fc.constantFrom(...rs.map((r) => r.name)), scope: optionalScope }), { maxLength: 3 }),
      grants: fc.array(aclEntry, { maxLength: 3 }),
      denies: fc.array(aclEntry, { maxLength: 2 }),
    }),
  )
  .map((doc) => JSON.parse(JSON.stringify(doc)) as PolicyDocument); // drop `scope: undefined` keys like a real stored document

const subject: fc.Arbitrary<Subject> = fc.record({
  id: fc.constantFrom<string>(...SUBJECT_IDS),
  tenantId: fc.option(fc.constantFrom<string>(...TENANTS), { nil: undefined, freq: 4 }),
  roles: fc.array(
    fc.oneof(fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'not-a-role'), fc.record({ role: fc.constantFrom('r0', 'r1', 'r2', 'r3'), scope: fc.constantFrom<string>(...SCOPES) })),
    { maxLength: 3 },
  ),
});

/* ---------- an independent, deliberately naive model of the documented semantics ---------- */

type Tri = 'yes' | 'no' | 'unknown';

function within(scope: string, ancestor: string): boolean {
  // By levels, not by string prefix, to differ in method from the implementation.
  const s = scope.split('/');
  const a = ancestor.split('/');
  return a.length <= s.length && a.every((level, i) => s[i] === level);
}

function and(a: Tri, b: Tri): Tri {
  if (a === 'no' || b === 'no') return 'no';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'yes';
}

function modelDecision(doc: PolicyDocument, s: Subject, req: Request, d: ResourceDescriptor | undefined): boolean {
  const roleByName = new Map(doc.roles.map((r) => [r.name, r]));
  const held: { role: string; scope: string | undefined }[] = [];
  for (const r of s.roles ?? []) held.push(typeof r === 'string' ? { role: r, scope: undefined } : { role: r.role, scope: r.scope ?? undefined });
  for (const a of doc.assignments) if (a.subjectId === s.id) held.push({ role: a.role, scope: a.scope });
  const rules: { effect: 'allow' | 'deny'; urn: string; scope: string | undefined }[] = [];
  for (const h of held) {
    const queue = [h.role];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const name = queue.shift() as string;
      const role = roleByName.get(name);
      if (role === undefined || seen.has(name)) continue;
      seen.add(name);
      for (const p of role.permissions ?? []) rules.push({ effect: 'allow', urn: p, scope: h.scope });
      for (const p of role.denies ?? []) rules.push({ effect: 'deny', urn: p, scope: h.scope });
      queue.push(...(role.inherits ?? []));
    }
  }
  for (const g of doc.grants) if (g.subjectId === s.id) rules.push({ effect: 'allow', urn: g.urn, scope: g.scope });
  for (const g of doc.denies) if (g.subjectId === s.id) rules.push({ effect: 'deny', urn: g.urn, scope: g.scope });

  const reserved = ['*', 'own', 'tenant'];
  const owner = d?.ownerId ?? (req.target === 'own' ? s.id : undefined);
  const tenant = d?.tenantId ?? (req.target === 'own' || req.target === 'tenant' ? (s.tenantId ?? undefined) : undefined);
  const id = reserved.includes(req.target) ? d?.id : req.target;

  const outcome = (urn: string, scope: string | undefined): Tri => {
    const [res, act, tgt] = urn.split(':') as [string, string, string];
    if (!(res === '*' || res === req.resource) || !(act === '*' || act === req.action)) return 'no';
    let t: Tri;
    if (tgt === '*') t = 'yes';
    else if (tgt === 'own') t = owner === undefined || owner === null ? 'unknown' : owner === s.id ? 'yes' : 'no';
    else if (tgt === 'tenant') t = s.tenantId == null ? 'no' : tenant === undefined || tenant === null ? 'unknown' : tenant === s.tenantId ? 'yes' : 'no';
    else t = id === undefined || id === null ? 'unknown' : id === tgt ? 'yes' : 'no';
    const sc: Tri = scope === undefined ? 'yes' : d?.scope == null ? 'unknown' : within(d.scope, scope) ? 'yes' : 'no';
    return and(t, sc);
  };
  if (rules.some((r) => r.effect === 'deny' && outcome(r.urn, r.scope) !== 'no')) return false;
  return rules.some((r) => r.effect === 'allow' && outcome(r.urn, r.scope) === 'yes');
}

const RUNS = { numRuns: 400 };

describe('properties', () => {
  it('compile(subject).can always agrees with check(...).allowed', () => {
    fc.assert(
      fc.property(policy, fc.array(fc.tuple(subject, request, descriptor), { minLength: 1, maxLength: 8 }), (doc, cases) => {
        const engine = new AccessEngine({ policy: doc });
        for (const [s, req, d] of cases) {
          const checked = engine.check(s, req.urn, d);
          expect(engine.compile(s).can(req.urn, d)).toBe(checked.allowed);
          // Twice: the second call answers from the cached plan.
          expect(engine.compile(s).can(req.urn, d)).toBe(checked.allowed);
        }
      }),
      RUNS,
    );
  });

  it('check agrees with an independent model of the documented rules', () => {
    fc.assert(
      fc.property(policy, subject, request, descriptor, (doc, s, req, d) => {
        const engine = new AccessEngine({ policy: doc });
        expect(engine.check(s, req.urn, d).allowed).toBe(modelDecision(doc, s, req, d));
      }),
      { numRuns: 2000 },
    );
  });

  it('compiled objects stay in agreement with check across policy changes made after compiling', () => {
    fc.assert(
      fc.property(policy, policy, subject, fc.array(fc.tuple(request, descriptor), { minLength: 1, maxLength: 5 }), (before, after, s, cases) => {
        const engine = new AccessEngine({ policy: before });
        const compiled = engine.compile(s);
        for (const [req, d] of cases) compiled.can(req.urn, d);
        engine.load(after);
        for (const [req, d] of cases) expect(compiled.can(req.urn, d)).toBe(modelDecision(after, s, req, d));
      }),
      RUNS,
    );
  });

  it('deny precedence: a deny covering the request beats any allow from any source', () => {
    fc.assert(
      fc.property(policy, subject, request, descriptor, fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()), fc.constantFrom('acl', 'role'), (doc, s, req, d, widen, source) => {
        const engine = new AccessEngine({ policy: doc });
        // Every allow the subject could have, on top of whatever the policy gives.
        engine.grant(s.id, '*:*:*');
        // `own`/`tenant` targets are conditions the descriptor may refute (it wins over the
        // request's claim), so only `*` or the request's own explicit id surely cover it.
        const isId = IDS.includes(req.target as (typeof IDS)[number]);
        const denyUrn = `${widen[0] ? '*' : req.resource}:${widen[1] ? '*' : req.action}:${widen[2] || !isId ? '*' : req.target}`;
        if (source === 'acl') engine.deny(s.id, denyUrn);
        else {
          engine.addRole({ name: 'blocked', denies: [denyUrn] });
          engine.assignRole(s.id, 'blocked');
        }
        const result = engine.check(s, req.urn, d);
        expect(result.allowed).toBe(false);
        expect(result.matched?.effect).toBe('deny');
        expect(engine.compile(s).can(req.urn, d)).toBe(false);
      }),
      RUNS,
    );
  });

  it('wildcards match whole segments: a rule covers a request exactly when each segment is * or equal', () => {
    fc.assert(
      fc.property(ruleResource, ruleAction, fc.constantFrom<string>('*', ...IDS), request, (res, act, tgt, req) => {
        const engine = new AccessEngine();
        engine.grant('u1', `${res}:${act}:${tgt}`);
        const subjectU1 = { id: 'u1', tenantId: 't1' };
        const expected = (res === '*' || res === req.resource) && (act === '*' || act === req.action) && (tgt === '*' || tgt === req.target);
        // Explicit-id request or an any-target rule: no descriptor is needed to decide.
        if (tgt === '*' || IDS.includes(req.target as (typeof IDS)[number])) {
          expect(engine.check(subjectU1, req.urn).allowed).toBe(expected);
          expect(engine.compile(subjectU1).can(req.urn)).toBe(expected);
        }
      }),
      RUNS,
    );
  });

  it('inheritance is transitive: a role has exactly the permissions of the roles it reaches', () => {
    const dag = fc
      .integer({ min: 1, max: 10 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => (i === 0 ? fc.constant<number[]>([]) : fc.subarray(Array.from({ length: i }, (_, j) => j))))));
    fc.assert(
      fc.property(dag, fc.nat(), (parents, pick) => {
        const engine = new AccessEngine();
        parents.forEach((inherits, i) => engine.addRole({ name: `r${i}`, permissions: [`p${i}:use:*`], inherits: inherits.map((j) => `r${j}`) }));
        const start = pick % parents.length;
        const reach = new Set<number>();
        const stack = [start];
        while (stack.length > 0) {
          const i = stack.pop() as number;
          if (reach.has(i)) continue;
          reach.add(i);
          stack.push(...(parents[i] as number[]));
        }
        const holder = { id: 'u', roles: [`r${start}`] };
        const compiled = engine.compile(holder);
        parents.forEach((_, i) => {
          expect(engine.check(holder, `p${i}:use:*`).allowed).toBe(reach.has(i));
          expect(compiled.can(`p${i}:use:*`)).toBe(reach.has(i));
          expect(engine.hasRole(holder, `r${i}`)).toBe(reach.has(i));
        });
      }),
      RUNS,
    );
  });

  it('scope containment: a grant never leaks up or sideways, and always reaches down', () => {
    const level = fc.constantFrom('a', 'b', 'ab', 'x');
    const path = fc.array(level, { minLength: 1, maxLength: 4 }).map((l) => l.join('/'));
    fc.assert(
      fc.property(path, path, fc.constantFrom('role', 'grant', 'carried'), (grantedAt, resourceAt, how) => {
        const engine = new AccessEngine();
        engine.addRole({ name: 'editor', permissions: ['doc:edit:*'] });
        let s: Subject = { id: 'u1' };
        if (how === 'role') engine.assignRole('u1', 'editor', grantedAt);
        else if (how === 'grant') engine.grant('u1', 'doc:edit:*', grantedAt);
        else s = { id: 'u1', roles: [{ role: 'editor', scope: grantedAt }] };
        const g = grantedAt.split('/');
        const r = resourceAt.split('/');
        const below = g.length <= r.length && g.every((lvl, i) => r[i] === lvl);
        expect(engine.check(s, 'doc:edit:*', { scope: resourceAt }).allowed).toBe(below);
        expect(engine.compile(s).can('doc:edit:*', { scope: resourceAt })).toBe(below);
      }),
      { numRuns: 1000 },
    );
  });

  it('toJSON then load preserves every decision', () => {
    fc.assert(
      fc.property(policy, subject, request, descriptor, (doc, s, req, d) => {
        const a = new AccessEngine({ policy: doc });
        const b = new AccessEngine();
        b.load(JSON.parse(JSON.stringify(a.toJSON())) as PolicyDocument);
        expect(b.check(s, req.urn, d)).toEqual(a.check(s, req.urn, d));
      }),
      RUNS,
    );
  });
});
