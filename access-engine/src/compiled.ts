import { explainCheck, type CheckResult } from './check.js';
import { NO, ownerFallbackOf, requestIdOf, scopeOutcome, TARGET_ANY, TARGET_ID, TARGET_TENANT, targetOutcome, tenantFallbackOf, YES, type TargetCode } from './conditions.js';
import type { PolicyStore } from './policy.js';
import { collectRoles, collectRules, type EffectiveRule } from './rules.js';
import { isWithinScope } from './scope.js';
import type { NormalizedSubject, ResourceDescriptor } from './subject.js';
import { parseUrn, segmentCovers, WILDCARD, type Urn } from './urn.js';

/** The engine's live policy and its version stamp, shared by reference with every compiled object. */
export interface PolicyState {
  store: PolicyStore;
  /** The public stamp; may be set to any value by `setVersion`, so it can repeat. */
  version: number;
  /**
   * Moves on every change and never repeats. Compiled objects compare this, not `version`,
   * so a stamp set back to an earlier value still invalidates them.
   */
  generation: number;
}

interface Condition {
  readonly target: TargetCode;
  readonly id: string;
  readonly scope: string | null;
  readonly scopePrefix: string;
}

interface CoveringRules {
  readonly denies: readonly EffectiveRule[];
  readonly allows: readonly EffectiveRule[];
}

const DECIDE = 0;
const ALWAYS = 1;
const NEVER = 2;

/**
 * Everything about one request URN for one subject that does not depend on the resource
 * descriptor, worked out once. What remains at check time is a handful of string equality
 * tests against the descriptor.
 */
interface Plan {
  readonly constant: typeof DECIDE | typeof ALWAYS | typeof NEVER;
  readonly denies: readonly Condition[];
  readonly allows: readonly Condition[];
  readonly ownerFallback: string | undefined;
  readonly tenantFallback: string | undefined;
  readonly requestId: string | undefined;
  /** Kept so `check` on a URN `can` has seen skips parsing it again. */
  readonly request: Urn;
}

/**
 * A per-subject decision object. `can` is the hot path: one Map lookup keyed by the URN string
 * (no splitting, no regex, no allocation once the URN has been seen), then a few comparisons.
 * Plans are built lazily per URN rather than for every rule up front because the set of URNs
 * a service asks about is small and known only at run time. When the policy version moves,
 * the next call rebuilds, so a compiled object held across a policy change never answers
 * from the old policy.
 */
export class CompiledAccess {
  readonly subject: NormalizedSubject;
  private readonly state: PolicyState;
  private readonly maxPlans: number;
  private builtGeneration = -1;
  private builtVersion = -1;
  private rules: EffectiveRule[] = [];
  private byResource = new Map<string, EffectiveRule[]>();
  private anyResource: EffectiveRule[] = [];
  private roles = new Map<string, (string | null)[]>();
  private readonly plans = new Map<string, Plan>();
  private readonly covering = new Map<string, CoveringRules>();

  /** @internal Built by `AccessEngine.compile`. */
  constructor(state: PolicyState, subject: NormalizedSubject, maxPlans: number) {
    this.state = state;
    this.subject = subject;
    this.maxPlans = maxPlans;
    this.refresh();
  }

  /** The policy version this object last compiled against. */
  get version(): number {
    return this.builtVersion;
  }

  /** Roles held (inheritance included), each with the scopes held at; `null` = everywhere. */
  get effectiveRoles(): ReadonlyMap<string, readonly (string | null)[]> {
    this.ensureFresh();
    return this.roles;
  }

  can(urn: string, resource?: ResourceDescriptor | null): boolean {
    if (this.builtGeneration !== this.state.generation) this.refresh();
    let plan = this.plans.get(urn);
    if (plan === undefined) plan = this.plan(urn);
    if (plan.constant !== DECIDE) return plan.constant === ALWAYS;

    const owner = resource?.ownerId ?? plan.ownerFallback;
    const tenant = resource?.tenantId ?? plan.tenantFallback;
    const id = plan.requestId ?? resource?.id;
    const scope = resource?.scope;
    const subjectId = this.subject.id;
    const subjectTenant = this.subject.tenantId;

    const denies = plan.denies;
    for (let i = 0; i < denies.length; i++) {
      const c = denies[i] as Condition;
      // Fail closed: a deny applies unless its condition is definitely false.
      if (targetOutcome(c.target, c.id, owner, tenant, id, subjectId, subjectTenant) !== NO && scopeOutcome(c.scope, c.scopePrefix, scope) !== NO) {
        return false;
      }
    }
    const allows = plan.allows;
    for (let i = 0; i < allows.length; i++) {
      const c = allows[i] as Condition;
      if (targetOutcome(c.target, c.id, owner, tenant, id, subjectId, subjectTenant) === YES && scopeOutcome(c.scope, c.scopePrefix, scope) === YES) {
        return true;
      }
    }
    return false;
  }

  /** The explaining check for this subject; allocates, so not for hot loops. */
  check(urn: string, resource?: ResourceDescriptor | null): CheckResult {
    this.ensureFresh();
    const request = this.plans.get(urn)?.request ?? parseUrn(urn);
    const covering = this.rulesCovering(request.resource);
    return explainCheck(covering.denies, covering.allows, this.subject, request, resource);
  }

  /**
   * Without `scope`: does the subject hold `role` everywhere (a role held only in part of the
   * tree does not make someone "an admin"). With `scope`: does it hold `role` there, i.e.
   * everywhere or at that scope or an ancestor of it.
   */
  hasRole(role: string, scope?: string | null): boolean {
    this.ensureFresh();
    const scopes = this.roles.get(role);
    if (scopes === undefined) return false;
    for (const held of scopes) {
      if (held === null) return true;
      if (scope !== undefined && scope !== null && isWithinScope(scope, held)) return true;
    }
    return false;
  }

  /**
   * The subject's rules whose resource segment covers `resource`, in explanation order (so
   * `check` names the same rule whichever path found it). Cached per resource name; the set
   * of resource names is small and fixed by the services' schemas.
   */
  private rulesCovering(resource: string): CoveringRules {
    let lists = this.covering.get(resource);
    if (lists === undefined) {
      const covering = this.rules.filter((rule) => segmentCovers(rule.urn.resource, resource));
      lists = { denies: covering.filter((r) => r.effect === 'deny'), allows: covering.filter((r) => r.effect === 'allow') };
      if (this.covering.size >= this.maxPlans) this.covering.clear();
      this.covering.set(resource, lists);
    }
    return lists;
  }

  private ensureFresh(): void {
    if (this.builtGeneration !== this.state.generation) this.refresh();
  }

  private refresh(): void {
    const generation = this.state.generation;
    const version = this.state.version;
    this.rules = collectRules(this.state.store, this.subject);
    this.roles = collectRoles(this.state.store, this.subject);
    this.byResource = new Map();
    this.anyResource = [];
    for (const rule of this.rules) {
      if (rule.urn.resource === WILDCARD) {
        this.anyResource.push(rule);
        continue;
      }
      const list = this.byResource.get(rule.urn.resource);
      if (list === undefined) this.byResource.set(rule.urn.resource, [rule]);
      else list.push(rule);
    }
    this.plans.clear();
    this.covering.clear();
    this.builtGeneration = generation;
    this.builtVersion = version;
  }

  private plan(text: string): Plan {
    const request = parseUrn(text);
    const plan = buildPlan(request, this.byResource.get(request.resource) ?? [], this.anyResource, this.subject);
    // Bounded so callers that put unbounded ids in the URN cannot grow memory without limit.
    // Starting over when full (rather than refusing new entries) lets URNs that become hot
    // later still get cached; the hot ones are re-planned on their next call.
    if (this.plans.size >= this.maxPlans) this.plans.clear();
    this.plans.set(text, plan);
    return plan;
  }
}

function buildPlan(request: Urn, sameResource: readonly EffectiveRule[], anyResource: readonly EffectiveRule[], subject: NormalizedSubject): Plan {
  const requestId = requestIdOf(request);
  const denies: Condition[] = [];
  const allows: Condition[] = [];
  const seen = new Set<string>();
  let unconditionalDeny = false;
  let unconditionalAllow = false;

  const consider = (rule: EffectiveRule): void => {
    if (!segmentCovers(rule.urn.action, request.action)) return;
    let target: TargetCode = rule.target;
    if (target === TARGET_ID && requestId !== undefined) {
      // The request names the instance, so an id rule is settled now: it covers it or it does not.
      if (rule.urn.target !== requestId) return;
      target = TARGET_ANY;
    }
    if (target === TARGET_TENANT && subject.tenantId === undefined) return; // never holds, and NO for a deny too
    const key = `${rule.effect}|${target}|${rule.urn.target}|${rule.scope ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    const condition: Condition = { target, id: rule.urn.target, scope: rule.scope, scopePrefix: rule.scopePrefix };
    const unconditional = target === TARGET_ANY && rule.scope === null;
    if (rule.effect === 'deny') {
      denies.push(condition);
      if (unconditional) unconditionalDeny = true;
    } else {
      allows.push(condition);
      if (unconditional) unconditionalAllow = true;
    }
  };
  for (const rule of sameResource) consider(rule);
  for (const rule of anyResource) consider(rule);

  let constant: Plan['constant'] = DECIDE;
  if (allows.length === 0 || unconditionalDeny) constant = NEVER;
  else if (denies.length === 0 && unconditionalAllow) constant = ALWAYS;
  return {
    constant,
    denies,
    allows,
    ownerFallback: ownerFallbackOf(request, subject.id),
    tenantFallback: tenantFallbackOf(request, subject.tenantId),
    requestId,
    request,
  };
}
