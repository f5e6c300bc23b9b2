import { InvalidPolicyError, InvalidRoleNameError, InvalidSubjectError, RoleCycleError, RoleInUseError, UnknownRoleError } from './errors.js';
import { parseOptionalScope } from './scope.js';
import { parseUrn, segmentProblem, type Urn } from './urn.js';

/** What `addRole` accepts; also the role shape inside a policy document. */
export interface RoleInput {
  readonly name: string;
  /** Allow rules, e.g. `wallet:read:own`. */
  readonly permissions?: readonly string[];
  /** Deny rules carried by the role; like every deny they beat any allow. */
  readonly denies?: readonly string[];
  /** Roles whose permissions and denies this role also has (transitively). */
  readonly inherits?: readonly string[];
}

export interface Role {
  readonly name: string;
  readonly permissions: readonly Urn[];
  readonly denies: readonly Urn[];
  readonly inherits: readonly string[];
}

/** A per-subject grant or deny (ACL). `scope: null` means everywhere. */
export interface AclRule {
  readonly subjectId: string;
  readonly urn: Urn;
  readonly scope: string | null;
}

/** A role given to a subject by the engine (as opposed to carried on the subject, e.g. from a JWT). */
export interface RoleAssignment {
  readonly subjectId: string;
  readonly role: string;
  readonly scope: string | null;
}

/** A role reached from an assigned role, with the inheritance chain that reached it. */
export interface ReachedRole {
  readonly role: Role;
  /** Assigned role first, `role.name` last: `['admin', 'support', 'user']`. */
  readonly via: readonly string[];
}

export interface PolicyRuleEntry {
  readonly subjectId: string;
  readonly urn: string;
  readonly scope?: string;
}

export interface PolicyAssignmentEntry {
  readonly subjectId: string;
  readonly role: string;
  readonly scope?: string;
}

/**
 * The serialised policy: plain JSON, so it can be stored as one MongoDB document (or one per
 * tenant) and reloaded with `load`. `format` versions this shape; `version` is the policy's
 * version stamp at the time it was written.
 */
export interface PolicyDocument {
  readonly format: 1;
  readonly version: number;
  readonly roles: readonly RoleInput[];
  readonly assignments: readonly PolicyAssignmentEntry[];
  readonly grants: readonly PolicyRuleEntry[];
  readonly denies: readonly PolicyRuleEntry[];
}

export function assertRoleName(name: string): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidRoleNameError(String(name), 'empty role name');
  const problem = segmentProblem(name);
  if (problem !== undefined || name === '*') throw new InvalidRoleNameError(name, problem ?? '"*" is not a role');
  return name;
}

export function assertSubjectId(subjectId: string): string {
  if (typeof subjectId !== 'string' || subjectId.length === 0) {
    throw new InvalidSubjectError(`subject id must be a non-empty string, got ${JSON.stringify(subjectId)}`);
  }
  return subjectId;
}

function sameAcl(a: AclRule, urn: string, scope: string | null): boolean {
  return a.urn.text === urn && a.scope === scope;
}

/**
 * The mutable policy: roles, role assignments, grants and denies. Every mutator validates
 * its input completely before touching state, so a rejected call leaves the policy unchanged
 * and a typo surfaces where the rule is written, not as a silent non-match at check time.
 * Mutators return whether anything changed so the engine only bumps the version on real
 * changes.
 */
export class PolicyStore {
  private readonly roles = new Map<string, Role>();
  private readonly assignments = new Map<string, RoleAssignment[]>();
  private readonly grants = new Map<string, AclRule[]>();
  private readonly denies = new Map<string, AclRule[]>();
  private readonly reachCache = new Map<string, readonly ReachedRole[]>();

  static fromDocument(document: PolicyDocument): PolicyStore {
    if (document === null || typeof document !== 'object') throw new InvalidPolicyError('expected an object');
    if (document.format !== 1) throw new InvalidPolicyError(`unsupported format ${String(document.format)}`);
    const list = <T>(value: readonly T[] | undefined, field: string): readonly T[] => {
      if (value === undefined) return [];
      if (!Array.isArray(value)) throw new InvalidPolicyError(`${field} must be an array`);
      return value;
    };
    const store = new PolicyStore();
    const roles = list(document.roles, 'roles');
    // Roles may reference roles listed after them, so insert all first, then validate the graph.
    for (const input of roles) {
      const role = buildRole(input);
      if (store.roles.has(role.name)) throw new InvalidPolicyError(`role ${JSON.stringify(role.name)} is defined twice`);
      store.roles.set(role.name, role);
    }
    for (const role of store.roles.values()) {
      for (const parent of role.inherits) {
        if (!store.roles.has(parent)) throw new UnknownRoleError(parent, `inherited by role ${JSON.stringify(role.name)}`);
      }
    }
    const cycle = findCycle(store.roles);
    if (cycle !== undefined) throw new RoleCycleError(cycle);
    for (const entry of list(document.assignments, 'assignments')) store.assignRole(entry.subjectId, entry.role, entry.scope);
    for (const entry of list(document.grants, 'grants')) store.grant(entry.subjectId, entry.urn, entry.scope);
    for (const entry of list(document.denies, 'denies')) store.deny(entry.subjectId, entry.urn, entry.scope);
    return store;
  }

  toDocument(version: number): PolicyDocument {
    const roles: RoleInput[] = [];
    for (const role of this.roles.values()) {
      roles.push({
        name: role.name,
        permissions: role.permissions.map((urn) => urn.text),
        ...(role.denies.length > 0 ? { denies: role.denies.map((urn) => urn.text) } : {}),
        ...(role.inherits.length > 0 ? { inherits: [...role.inherits] } : {}),
      });
    }
    const withScope = <T extends object>(entry: T, scope: string | null): T & { scope?: string } => (scope === null ? entry : { ...entry, scope });
    const assignments: PolicyAssignmentEntry[] = [];
    for (const list of this.assignments.values()) {
      for (const a of list) assignments.push(withScope({ subjectId: a.subjectId, role: a.role }, a.scope));
    }
    const aclEntries = (source: Map<string, AclRule[]>): PolicyRuleEntry[] => {
      const out: PolicyRuleEntry[] = [];
      for (const rules of source.values()) {
        for (const r of rules) out.push(withScope({ subjectId: r.subjectId, urn: r.urn.text }, r.scope));
      }
      return out;
    };
    return { format: 1, version, roles, assignments, grants: aclEntries(this.grants), denies: aclEntries(this.denies) };
  }

  getRole(name: string): Role | undefined {
    return this.roles.get(name);
  }

  roleNames(): string[] {
    return [...this.roles.keys()];
  }

  /** Adds or replaces a role. Replacing may create a cycle, which is rejected like an unknown parent. */
  defineRole(input: RoleInput): boolean {
    const role = buildRole(input);
    for (const parent of role.inherits) {
      if (parent !== role.name && !this.roles.has(parent)) {
        throw new UnknownRoleError(parent, `inherited by role ${JSON.stringify(role.name)}`);
      }
    }
    const previous = this.roles.get(role.name);
    if (previous !== undefined && sameRole(previous, role)) return false;
    const candidate = new Map(this.roles);
    candidate.set(role.name, role);
    const cycle = findCycle(candidate, role.name);
    if (cycle !== undefined) throw new RoleCycleError(cycle);
    this.roles.set(role.name, role);
    this.reachCache.clear();
    return true;
  }

  /** Removes a role and its engine-held assignments; refuses while another role inherits it. */
  removeRole(name: string): boolean {
    if (!this.roles.has(name)) return false;
    const inheritedBy = [...this.roles.values()].filter((r) => r.inherits.includes(name)).map((r) => r.name);
    if (inheritedBy.length > 0) throw new RoleInUseError(name, inheritedBy);
    this.roles.delete(name);
    for (const [subjectId, list] of this.assignments) {
      const kept = list.filter((a) => a.role !== name);
      if (kept.length === 0) this.assignments.delete(subjectId);
      else this.assignments.set(subjectId, kept);
    }
    this.reachCache.clear();
    return true;
  }

  assignRole(subjectId: string, role: string, scope?: string | null): boolean {
    assertSubjectId(subjectId);
    if (!this.roles.has(role)) throw new UnknownRoleError(role, `assigned to subject ${JSON.stringify(subjectId)}`);
    const parsedScope = parseOptionalScope(scope);
    const list = this.assignments.get(subjectId) ?? [];
    if (list.some((a) => a.role === role && a.scope === parsedScope)) return false;
    list.push({ subjectId, role, scope: parsedScope });
    this.assignments.set(subjectId, list);
    return true;
  }

  unassignRole(subjectId: string, role: string, scope?: string | null): boolean {
    const parsedScope = parseOptionalScope(scope);
    const list = this.assignments.get(subjectId);
    if (list === undefined) return false;
    const kept = list.filter((a) => !(a.role === role && a.scope === parsedScope));
    if (kept.length === list.length) return false;
    if (kept.length === 0) this.assignments.delete(subjectId);
    else this.assignments.set(subjectId, kept);
    return true;
  }

  assignmentsOf(subjectId: string): readonly RoleAssignment[] {
    return this.assignments.get(subjectId) ?? [];
  }

  grant(subjectId: string, urn: string, scope?: string | null): boolean {
    return addAcl(this.grants, subjectId, urn, scope);
  }

  revoke(subjectId: string, urn: string, scope?: string | null): boolean {
    return removeAcl(this.grants, subjectId, urn, scope);
  }

  deny(subjectId: string, urn: string, scope?: string | null): boolean {
    return addAcl(this.denies, subjectId, urn, scope);
  }

  revokeDeny(subjectId: string, urn: string, scope?: string | null): boolean {
    return removeAcl(this.denies, subjectId, urn, scope);
  }

  grantsOf(subjectId: string): readonly AclRule[] {
    return this.grants.get(subjectId) ?? [];
  }

  deniesOf(subjectId: string): readonly AclRule[] {
    return this.denies.get(subjectId) ?? [];
  }

  /**
   * Every role reachable from `name` through inheritance, `name` first, each once (the first
   * path found is the one reported). Cached: compiling many subjects with the same roles
   * walks the graph once.
   */
  reach(name: string): readonly ReachedRole[] {
    const cached = this.reachCache.get(name);
    if (cached !== undefined) return cached;
    const out: ReachedRole[] = [];
    const seen = new Set<string>();
    const visit = (roleName: string, via: readonly string[]): void => {
      if (seen.has(roleName)) return;
      const role = this.roles.get(roleName);
      if (role === undefined) return;
      seen.add(roleName);
      const path = [...via, roleName];
      out.push({ role, via: path });
      for (const parent of role.inherits) visit(parent, path);
    };
    visit(name, []);
    this.reachCache.set(name, out);
    return out;
  }
}

function buildRole(input: RoleInput): Role {
  if (input === null || typeof input !== 'object') throw new InvalidRoleNameError(String(input), 'expected { name, permissions }');
  const name = assertRoleName(input.name);
  const urns = (list: readonly string[] | undefined, field: string): Urn[] => {
    if (list === undefined) return [];
    if (!Array.isArray(list)) throw new InvalidPolicyError(`role ${JSON.stringify(name)}: ${field} must be an array`);
    const seen = new Set<string>();
    const out: Urn[] = [];
    for (const text of list) {
      const urn = parseUrn(text);
      if (!seen.has(urn.text)) {
        seen.add(urn.text);
        out.push(urn);
      }
    }
    return out;
  };
  const inherits: string[] = [];
  for (const parent of input.inherits ?? []) {
    assertRoleName(parent);
    if (!inherits.includes(parent)) inherits.push(parent);
  }
  return { name, permissions: urns(input.permissions, 'permissions'), denies: urns(input.denies, 'denies'), inherits };
}

function sameRole(a: Role, b: Role): boolean {
  const texts = (list: readonly Urn[]): string => list.map((u) => u.text).join('\n');
  return texts(a.permissions) === texts(b.permissions) && texts(a.denies) === texts(b.denies) && a.inherits.join('\n') === b.inherits.join('\n');
}

/**
 * A cycle in the inheritance graph as a closed path (`['a', 'b', 'a']`), or undefined.
 * With `from`, only cycles through that role are looked for: the graph was acyclic before
 * the role changed, so any new cycle must pass through it.
 */
export function findCycle(roles: ReadonlyMap<string, Role>, from?: string): string[] | undefined {
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (name: string): string[] | undefined => {
    if (onStack.has(name)) return [...stack.slice(stack.indexOf(name)), name];
    if (done.has(name)) return undefined;
    const role = roles.get(name);
    if (role === undefined) return undefined;
    stack.push(name);
    onStack.add(name);
    for (const parent of role.inherits) {
      const cycle = visit(parent);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    onStack.delete(name);
    done.add(name);
    return undefined;
  };
  if (from !== undefined) return visit(from);
  for (const name of roles.keys()) {
    const cycle = visit(name);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

function addAcl(target: Map<string, AclRule[]>, subjectId: string, urnText: string, scope?: string | null): boolean {
  assertSubjectId(subjectId);
  const urn = parseUrn(urnText);
  const parsedScope = parseOptionalScope(scope);
  const list = target.get(subjectId) ?? [];
  if (list.some((r) => sameAcl(r, urn.text, parsedScope))) return false;
  list.push({ subjectId, urn, scope: parsedScope });
  target.set(subjectId, list);
  return true;
}

function removeAcl(target: Map<string, AclRule[]>, subjectId: string, urnText: string, scope?: string | null): boolean {
  const urn = parseUrn(urnText);
  const parsedScope = parseOptionalScope(scope);
  const list = target.get(subjectId);
  if (list === undefined) return false;
  const kept = list.filter((r) => !sameAcl(r, urn.text, parsedScope));
  if (kept.length === list.length) return false;
  if (kept.length === 0) target.delete(subjectId);
  else target.set(subjectId, kept);
  return true;
}
