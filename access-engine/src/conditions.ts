import { isWithinScopePrefix } from './scope.js';
import type { TargetKind, Urn } from './urn.js';

/**
 * The semantics of a rule's conditions, shared by the explaining `check` path and the compiled
 * `can` path so the two cannot drift apart. Each condition evaluates to one of three outcomes:
 * it holds, it does not, or the data to decide was not given.
 *
 * An allow rule applies only when its conditions hold. A deny rule applies when they hold
 * *or cannot be ruled out*: a deny must not be dodged by leaving a field out of the resource
 * descriptor (fail closed).
 */
export const NO = 0;
export const YES = 1;
export const UNKNOWN = 2;
export type Outcome = typeof NO | typeof YES | typeof UNKNOWN;

// Small integers instead of strings so the hot path switches on a number.
export const TARGET_ANY = 0;
export const TARGET_OWN = 1;
export const TARGET_TENANT = 2;
export const TARGET_ID = 3;
export type TargetCode = typeof TARGET_ANY | typeof TARGET_OWN | typeof TARGET_TENANT | typeof TARGET_ID;

export function targetCodeOf(kind: TargetKind): TargetCode {
  switch (kind) {
    case 'any':
      return TARGET_ANY;
    case 'own':
      return TARGET_OWN;
    case 'tenant':
      return TARGET_TENANT;
    case 'id':
      return TARGET_ID;
  }
}

/**
 * The facts a check works with come from the resource descriptor first, then from the
 * request's own target: asking `wallet:read:own` states that the wallet is the subject's
 * (and so in the subject's tenant), `wallet:read:tenant` that it is in the subject's tenant,
 * `wallet:read:w-1` that its id is `w-1`. A descriptor field, when given, wins over the
 * statement, so a resolver cannot ask "own" about someone else's wallet and be believed.
 */
export function ownerFallbackOf(request: Urn, subjectId: string): string | undefined {
  return request.targetKind === 'own' ? subjectId : undefined;
}

export function tenantFallbackOf(request: Urn, subjectTenantId: string | undefined): string | undefined {
  return request.targetKind === 'own' || request.targetKind === 'tenant' ? subjectTenantId : undefined;
}

export function requestIdOf(request: Urn): string | undefined {
  return request.targetKind === 'id' ? request.target : undefined;
}

export function targetOutcome(
  code: TargetCode,
  ruleId: string,
  owner: string | null | undefined,
  tenant: string | null | undefined,
  id: string | null | undefined,
  subjectId: string,
  subjectTenantId: string | undefined,
): Outcome {
  switch (code) {
    case TARGET_ANY:
      return YES;
    case TARGET_OWN:
      return owner === undefined || owner === null ? UNKNOWN : owner === subjectId ? YES : NO;
    case TARGET_TENANT:
      // A subject without a tenant shares a tenant with nothing, whatever the resource says.
      if (subjectTenantId === undefined) return NO;
      return tenant === undefined || tenant === null ? UNKNOWN : tenant === subjectTenantId ? YES : NO;
    case TARGET_ID:
      return id === undefined || id === null ? UNKNOWN : id === ruleId ? YES : NO;
  }
}

export function scopeOutcome(ruleScope: string | null, ruleScopePrefix: string, resourceScope: string | null | undefined): Outcome {
  if (ruleScope === null) return YES;
  if (resourceScope === undefined || resourceScope === null) return UNKNOWN;
  return isWithinScopePrefix(resourceScope, ruleScope, ruleScopePrefix) ? YES : NO;
}

export function combineOutcomes(a: Outcome, b: Outcome): Outcome {
  if (a === NO || b === NO) return NO;
  if (a === UNKNOWN || b === UNKNOWN) return UNKNOWN;
  return YES;
}
