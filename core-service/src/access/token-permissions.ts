import type { AccessEngine, Subject } from 'access-engine';

/**
 * How a subject's decisions travel inside an access token: a flat list of URNs, allows as they
 * are and denies prefixed with `!` (`'!transfer:create:*'`). The list is what the subject's
 * unscoped roles grant, inheritance expanded, so a subgraph can decide from the token alone
 * without holding the policy. Denies travel too because deny beats allow: dropping them would
 * turn a role's deny into an allow from another role.
 *
 * Scoped role assignments (`{ role, scope }`) are not flattened: a URN list has no place for a
 * scope, and a scoped role silently applied everywhere would grant too much.
 */
export const DENY_PREFIX = '!';

export interface TokenPermissionSet {
  readonly permissions: readonly string[];
  readonly denies: readonly string[];
}

export interface EncodeTokenPermissionsOptions {
  /** Per-subject allows stored outside the engine (e.g. on the user document). */
  readonly grants?: readonly string[];
  /** Per-subject denies stored outside the engine. */
  readonly denies?: readonly string[];
}

/** The token's `permissions` claim for `subject` under the engine's current policy (sorted, deduplicated). */
export function encodeTokenPermissions(engine: AccessEngine, subject: Subject, options: EncodeTokenPermissionsOptions = {}): string[] {
  const allows = new Set<string>(options.grants ?? []);
  const denies = new Set<string>(options.denies ?? []);
  for (const [name, scopes] of engine.compile(subject).effectiveRoles) {
    if (!scopes.includes(null)) continue;
    const role = engine.getRole(name);
    if (role === undefined) continue;
    for (const urn of role.permissions) allows.add(urn.text);
    for (const urn of role.denies) denies.add(urn.text);
  }
  return [...[...allows].sort(), ...[...denies].sort().map((urn) => DENY_PREFIX + urn)];
}

/** Splits a token's `permissions` claim back into allows and denies. */
export function decodeTokenPermissions(list: readonly string[]): TokenPermissionSet {
  const permissions: string[] = [];
  const denies: string[] = [];
  for (const entry of list) {
    if (entry.startsWith(DENY_PREFIX)) denies.push(entry.slice(DENY_PREFIX.length));
    else permissions.push(entry);
  }
  return { permissions, denies };
}

/** Every role the subject holds everywhere, inherited ones included: the token's `roles` claim. */
export function effectiveRoleNames(engine: AccessEngine, subject: Subject): string[] {
  const names: string[] = [];
  for (const [name, scopes] of engine.compile(subject).effectiveRoles) if (scopes.includes(null)) names.push(name);
  return names.sort();
}
