import { InvalidScopeError } from './errors.js';
import { segmentProblem, WILDCARD } from './urn.js';

/**
 * Scopes (HBAC) are named by their path from the root, levels separated by `/`:
 * `tenant-1`, `tenant-1/brand-a`, `tenant-1/brand-a/team-x`. The path *is* the tree, so there
 * is no parent map to register, keep in sync across processes, or store beside the policy,
 * and a resource only has to carry its own scope string for containment to be decided.
 *
 * A rule given at scope S applies to resources whose scope is S or below S. It never applies
 * above S (`tenant-1` is not inside `tenant-1/brand-a`) or beside it (`tenant-1/brand-b`,
 * nor `tenant-1/brand-ab`, which only shares a text prefix).
 */
export const SCOPE_SEPARATOR = '/';

/** Validates a scope path and returns it unchanged; throws InvalidScopeError naming the problem. */
export function parseScope(scope: string): string {
  if (typeof scope !== 'string') throw new InvalidScopeError(String(scope), 'expected a string');
  if (scope.length === 0) throw new InvalidScopeError(scope, 'empty scope (omit the scope for a global rule)');
  const levels = scope.split(SCOPE_SEPARATOR);
  for (const level of levels) {
    if (level.length === 0) throw new InvalidScopeError(scope, 'empty level (leading, trailing or doubled "/")');
    if (level === WILDCARD) throw new InvalidScopeError(scope, '"*" is not a scope level; omit the scope for a global rule');
    const problem = segmentProblem(level);
    if (problem !== undefined) throw new InvalidScopeError(scope, problem);
  }
  return scope;
}

/** Normalises an optional scope argument: undefined/null mean global. */
export function parseOptionalScope(scope: string | null | undefined): string | null {
  return scope === undefined || scope === null ? null : parseScope(scope);
}

/**
 * `prefix` is `ancestor + '/'`, precomputed by callers on the hot path so the test is two
 * string comparisons and no concatenation.
 */
export function isWithinScopePrefix(scope: string, ancestor: string, prefix: string): boolean {
  return scope === ancestor || scope.startsWith(prefix);
}

/** True when `scope` is `ancestor` or lies below it. */
export function isWithinScope(scope: string, ancestor: string): boolean {
  return isWithinScopePrefix(scope, ancestor, ancestor + SCOPE_SEPARATOR);
}

/** `tenant-1/brand-a/team-x` → `['tenant-1', 'tenant-1/brand-a', 'tenant-1/brand-a/team-x']`. */
export function scopePath(scope: string): string[] {
  const levels = scope.split(SCOPE_SEPARATOR);
  const path: string[] = [];
  for (let i = 1; i <= levels.length; i++) path.push(levels.slice(0, i).join(SCOPE_SEPARATOR));
  return path;
}
