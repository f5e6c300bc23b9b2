import { targetCodeOf, type TargetCode } from './conditions.js';
import type { PolicyStore } from './policy.js';
import { SCOPE_SEPARATOR } from './scope.js';
import type { NormalizedSubject } from './subject.js';
import type { Urn } from './urn.js';

/** Where a deciding rule came from; returned by `check` as `matched`. */
export interface MatchedRule {
  /** `role-permission` / `role-deny`: held through a role; `grant` / `deny`: an ACL entry on the subject. */
  readonly kind: 'role-permission' | 'role-deny' | 'grant' | 'deny';
  readonly effect: 'allow' | 'deny';
  /** The rule's URN as written. */
  readonly permission: string;
  /** The role that holds the rule (for role rules). */
  readonly role?: string;
  /** Assigned role first, holding role last; length 1 when the rule is on the assigned role itself. */
  readonly via?: readonly string[];
  /** Whether the role came on the subject (e.g. a JWT) or from `assignRole`. */
  readonly assignedBy?: 'subject' | 'engine';
  /** The subject an ACL entry belongs to. */
  readonly subjectId?: string;
  /** Scope the rule is limited to (the role assignment's or the ACL entry's); absent = everywhere. */
  readonly scope?: string;
}

/** One rule as it applies to one subject: role rules carry their assignment's scope. */
export interface EffectiveRule {
  readonly effect: 'allow' | 'deny';
  readonly urn: Urn;
  readonly target: TargetCode;
  readonly scope: string | null;
  /** `scope + '/'`, so containment checks do not concatenate at check time. */
  readonly scopePrefix: string;
  readonly origin: MatchedRule;
}

function effectiveRule(effect: 'allow' | 'deny', urn: Urn, scope: string | null, origin: MatchedRule): EffectiveRule {
  return {
    effect,
    urn,
    target: targetCodeOf(urn.targetKind),
    scope,
    scopePrefix: scope === null ? '' : scope + SCOPE_SEPARATOR,
    origin: scope === null ? origin : { ...origin, scope },
  };
}

/**
 * Every rule that can affect `subject`, in explanation order: ACL denies, role denies, ACL
 * grants, role permissions. Order only decides which rule `check` names; the decision itself
 * does not depend on it. Carried roles the policy does not define are skipped: tokens may
 * carry roles meant for other systems, and a missing role can only remove permissions.
 */
export function collectRules(store: PolicyStore, subject: NormalizedSubject): EffectiveRule[] {
  const held: { role: string; scope: string | null; assignedBy: 'subject' | 'engine' }[] = [];
  for (const r of subject.roles) held.push({ role: r.role, scope: r.scope, assignedBy: 'subject' });
  for (const a of store.assignmentsOf(subject.id)) {
    if (!held.some((h) => h.role === a.role && h.scope === a.scope)) held.push({ role: a.role, scope: a.scope, assignedBy: 'engine' });
  }

  const aclDenies: EffectiveRule[] = [];
  const roleDenies: EffectiveRule[] = [];
  const grants: EffectiveRule[] = [];
  const permissions: EffectiveRule[] = [];

  for (const rule of store.deniesOf(subject.id)) {
    aclDenies.push(effectiveRule('deny', rule.urn, rule.scope, { kind: 'deny', effect: 'deny', permission: rule.urn.text, subjectId: subject.id }));
  }
  for (const rule of store.grantsOf(subject.id)) {
    grants.push(effectiveRule('allow', rule.urn, rule.scope, { kind: 'grant', effect: 'allow', permission: rule.urn.text, subjectId: subject.id }));
  }
  for (const h of held) {
    for (const { role, via } of store.reach(h.role)) {
      for (const urn of role.denies) {
        roleDenies.push(effectiveRule('deny', urn, h.scope, { kind: 'role-deny', effect: 'deny', permission: urn.text, role: role.name, via, assignedBy: h.assignedBy }));
      }
      for (const urn of role.permissions) {
        permissions.push(
          effectiveRule('allow', urn, h.scope, {
            kind: 'role-permission',
            effect: 'allow',
            permission: urn.text,
            role: role.name,
            via,
            assignedBy: h.assignedBy,
          }),
        );
      }
    }
  }
  return [...aclDenies, ...roleDenies, ...grants, ...permissions];
}

/** Roles a subject effectively holds (inherited ones included), each with the scopes it holds them at. */
export function collectRoles(store: PolicyStore, subject: NormalizedSubject): Map<string, (string | null)[]> {
  const out = new Map<string, (string | null)[]>();
  const add = (name: string, scope: string | null): void => {
    for (const { role } of store.reach(name)) {
      const scopes = out.get(role.name) ?? [];
      if (!scopes.includes(scope)) scopes.push(scope);
      out.set(role.name, scopes);
    }
  };
  for (const r of subject.roles) add(r.role, r.scope);
  for (const a of store.assignmentsOf(subject.id)) add(a.role, a.scope);
  return out;
}
