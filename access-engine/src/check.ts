import { combineOutcomes, NO, ownerFallbackOf, requestIdOf, scopeOutcome, TARGET_ID, TARGET_OWN, TARGET_TENANT, targetOutcome, tenantFallbackOf, UNKNOWN, YES, type Outcome } from './conditions.js';
import type { EffectiveRule, MatchedRule } from './rules.js';
import type { NormalizedSubject, ResourceDescriptor } from './subject.js';
import { segmentCovers, type Urn } from './urn.js';

/** A resource-descriptor field a rule needed and the check was not given. */
export type MissingFact = 'ownerId' | 'tenantId' | 'id' | 'scope';

export interface CheckResult {
  readonly allowed: boolean;
  /** One sentence a human can act on: which rule decided, or why nothing allowed it. */
  readonly reason: string;
  /** The rule that decided: the deny that applied, or the allow that matched; null when nothing allowed it. */
  readonly matched: MatchedRule | null;
  /** Descriptor fields whose absence caused the denial (empty when the decision did not hinge on one). */
  readonly missing: readonly MissingFact[];
}

interface Facts {
  readonly owner: string | null | undefined;
  readonly tenant: string | null | undefined;
  readonly id: string | null | undefined;
  readonly scope: string | null | undefined;
}

interface Evaluated {
  readonly rule: EffectiveRule;
  readonly outcome: Outcome;
  readonly target: Outcome;
  readonly scope: Outcome;
}

const TARGET_FACT: Record<number, MissingFact> = { [TARGET_OWN]: 'ownerId', [TARGET_TENANT]: 'tenantId', [TARGET_ID]: 'id' };

function missingOf(e: Evaluated): MissingFact[] {
  const out: MissingFact[] = [];
  if (e.target === UNKNOWN) out.push(TARGET_FACT[e.rule.target] as MissingFact);
  if (e.scope === UNKNOWN) out.push('scope');
  return out;
}

export function describeRule(origin: MatchedRule): string {
  const at = origin.scope === undefined ? '' : ` at scope "${origin.scope}"`;
  const via = origin.via !== undefined && origin.via.length > 1 ? ` (inherited: ${origin.via.join(' → ')})` : '';
  switch (origin.kind) {
    case 'role-permission':
      return `permission "${origin.permission}" of role "${origin.role}"${via}${at}`;
    case 'role-deny':
      return `deny "${origin.permission}" of role "${origin.role}"${via}${at}`;
    case 'grant':
      return `grant "${origin.permission}" to subject "${origin.subjectId}"${at}`;
    case 'deny':
      return `deny "${origin.permission}" on subject "${origin.subjectId}"${at}`;
  }
}

function whyHolds(e: Evaluated, facts: Facts, subject: NormalizedSubject): string {
  const parts: string[] = [];
  if (e.rule.target === TARGET_OWN) parts.push(`the subject owns the resource`);
  if (e.rule.target === TARGET_TENANT) parts.push(`the resource is in the subject's tenant "${subject.tenantId}"`);
  if (e.rule.target === TARGET_ID) parts.push(`the resource id is "${facts.id}"`);
  if (e.rule.scope !== null) parts.push(`scope "${facts.scope}" is within "${e.rule.scope}"`);
  return parts.length === 0 ? '' : `: ${parts.join(', ')}`;
}

function whyFails(e: Evaluated, facts: Facts, subject: NormalizedSubject): string {
  if (e.target === NO) {
    if (e.rule.target === TARGET_OWN) return `the resource owner "${facts.owner}" is not the subject "${subject.id}"`;
    if (e.rule.target === TARGET_TENANT) {
      return subject.tenantId === undefined ? 'the subject has no tenant' : `the resource tenant "${facts.tenant}" is not the subject's tenant "${subject.tenantId}"`;
    }
    return `the resource id "${facts.id}" is not "${e.rule.urn.target}"`;
  }
  return `the resource scope "${facts.scope}" is not within "${e.rule.scope}"`;
}

function needs(missing: readonly MissingFact[]): string {
  return missing.map((m) => `resource.${m}`).join(' and ');
}

/**
 * The explaining path: walks the subject's rules, so it can say which rule decided and what
 * was missing. `CompiledAccess.can` reaches the same decision from precomputed tables;
 * property tests hold the two to agreement and to an independent model. Denies and allows
 * come as separate lists so every deny is seen before the first matching allow may return.
 */
export function explainCheck(denies: readonly EffectiveRule[], allows: readonly EffectiveRule[], subject: NormalizedSubject, request: Urn, resource?: ResourceDescriptor | null): CheckResult {
  const facts: Facts = {
    owner: resource?.ownerId ?? ownerFallbackOf(request, subject.id),
    tenant: resource?.tenantId ?? tenantFallbackOf(request, subject.tenantId),
    id: requestIdOf(request) ?? resource?.id,
    scope: resource?.scope,
  };
  const evaluate = (rule: EffectiveRule): Evaluated | undefined => {
    if (!segmentCovers(rule.urn.resource, request.resource) || !segmentCovers(rule.urn.action, request.action)) return undefined;
    const target = targetOutcome(rule.target, rule.urn.target, facts.owner, facts.tenant, facts.id, subject.id, subject.tenantId);
    const scope = scopeOutcome(rule.scope, rule.scopePrefix, facts.scope);
    return { rule, outcome: combineOutcomes(target, scope), target, scope };
  };

  let unknownDeny: Evaluated | undefined;
  for (const rule of denies) {
    const e = evaluate(rule);
    if (e === undefined || e.outcome === NO) continue;
    if (e.outcome === YES) return { allowed: false, reason: `denied by ${describeRule(rule.origin)}`, matched: rule.origin, missing: [] };
    unknownDeny ??= e;
  }
  if (unknownDeny !== undefined) {
    const missing = missingOf(unknownDeny);
    return {
      allowed: false,
      reason: `denied by ${describeRule(unknownDeny.rule.origin)}: it applies unless ${needs(missing)} rules it out, and that was not given`,
      matched: unknownDeny.rule.origin,
      missing,
    };
  }

  const unknownAllows: Evaluated[] = [];
  let failedAllow: Evaluated | undefined;
  let candidates = 0;
  for (const rule of allows) {
    const e = evaluate(rule);
    if (e === undefined) continue;
    candidates++;
    if (e.outcome === YES) {
      return { allowed: true, reason: `allowed by ${describeRule(rule.origin)}${whyHolds(e, facts, subject)}`, matched: rule.origin, missing: [] };
    }
    if (e.outcome === UNKNOWN) unknownAllows.push(e);
    else failedAllow ??= e;
  }

  if (unknownAllows.length > 0) {
    const missing = [...new Set(unknownAllows.flatMap(missingOf))];
    const first = unknownAllows[0] as Evaluated;
    return {
      allowed: false,
      reason: `denied: nothing allows "${request.text}" without ${needs(missing)}; ${describeRule(first.rule.origin)} needs ${needs(missingOf(first))}, which was not given`,
      matched: null,
      missing,
    };
  }
  if (failedAllow !== undefined) {
    return {
      allowed: false,
      reason: `denied: ${describeRule(failedAllow.rule.origin)} does not apply because ${whyFails(failedAllow, facts, subject)}`,
      matched: null,
      missing: [],
    };
  }
  return {
    allowed: false,
    reason: candidates === 0 ? `denied: no role or grant of subject "${subject.id}" covers "${request.resource}:${request.action}"` : `denied: nothing allows "${request.text}"`,
    matched: null,
    missing: [],
  };
}
