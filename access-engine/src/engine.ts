import type { CheckResult } from './check.js';
import { CompiledAccess, type PolicyState } from './compiled.js';
import { InvalidVersionError } from './errors.js';
import { PolicyStore, type PolicyDocument, type Role, type RoleInput } from './policy.js';
import { normalizeSubject, type ResourceDescriptor, type Subject } from './subject.js';

interface RememberedSubject {
  readonly id: string;
  readonly tenantId: Subject['tenantId'];
  /** A copy: comparing against the caller's array itself would miss edits made in place. */
  readonly roles: readonly { readonly role: string; readonly scope: string | undefined }[];
  readonly compiled: CompiledAccess;
}

function sameRoles(remembered: RememberedSubject['roles'], current: Subject['roles']): boolean {
  const list = current ?? [];
  if (list.length !== remembered.length) return false;
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    const r = remembered[i] as RememberedSubject['roles'][number];
    if (typeof entry === 'string') {
      if (entry !== r.role || r.scope !== undefined) return false;
    } else if (entry === undefined || entry.role !== r.role || (entry.scope ?? undefined) !== r.scope) {
      return false;
    }
  }
  return true;
}

export type PolicyChangeListener = (version: number) => void;

export interface AccessEngineOptions {
  /** Initial policy, as produced by `toJSON()`. */
  readonly policy?: PolicyDocument;
  /** Compiled subjects kept for reuse by `compile`; oldest dropped first. Default 10,000. */
  readonly maxCachedSubjects?: number;
  /** Request URNs planned and kept per compiled subject. Default 1,024. */
  readonly maxCachedUrnsPerSubject?: number;
  /** Called with the new version after every change (same as `onChange`). */
  readonly onChange?: PolicyChangeListener;
}

/**
 * The authorization engine: holds the policy (roles, role assignments, ACL grants and denies),
 * answers checks, and hands out compiled per-subject decision objects.
 *
 * Every change moves `version`. Compiled objects compare it on each call and rebuild when it
 * moved, so they never answer from a stale policy. Other processes invalidate the same way:
 * after one process changes the stored policy and publishes the new version (e.g. Redis
 * pub/sub), the others `load` the policy, or at least `setVersion`, and their compiled
 * objects rebuild on next use.
 */
export class AccessEngine {
  private readonly state: PolicyState;
  private readonly listeners = new Set<PolicyChangeListener>();
  private readonly compiled = new Map<string, CompiledAccess>();
  private readonly bySubject = new WeakMap<Subject, RememberedSubject>();
  private readonly maxSubjects: number;
  private readonly maxUrns: number;

  constructor(options: AccessEngineOptions = {}) {
    this.maxSubjects = Math.max(1, Math.floor(options.maxCachedSubjects ?? 10_000));
    this.maxUrns = Math.max(1, Math.floor(options.maxCachedUrnsPerSubject ?? 1_024));
    const store = options.policy === undefined ? new PolicyStore() : PolicyStore.fromDocument(options.policy);
    const version = options.policy === undefined ? 0 : checkVersion(options.policy.version ?? 0);
    this.state = { store, version, generation: 0 };
    if (options.onChange !== undefined) this.listeners.add(options.onChange);
  }

  /** The policy version stamp; changes on every effective policy change. */
  get version(): number {
    return this.state.version;
  }

  /** Invalidates every compiled object (e.g. on a peer's change notice) and returns the new version. */
  bumpVersion(): number {
    this.changed(this.state.version + 1);
    return this.state.version;
  }

  /** Adopts a version published by another process; any different value invalidates compiled objects. */
  setVersion(version: number): void {
    checkVersion(version);
    if (version !== this.state.version) this.changed(version);
  }

  /** Subscribes to policy changes; returns the unsubscribe function. */
  onChange(listener: PolicyChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Adds or replaces a role. Throws on a malformed URN, an unknown inherited role, or a cycle. */
  addRole(input: RoleInput): Role {
    if (this.state.store.defineRole(input)) this.bump();
    return this.state.store.getRole(input.name) as Role;
  }

  /** Removes a role and its `assignRole` assignments. Throws RoleInUseError while another role inherits it. */
  removeRole(name: string): boolean {
    return this.bumpIf(this.state.store.removeRole(name));
  }

  getRole(name: string): Role | undefined {
    return this.state.store.getRole(name);
  }

  get roleNames(): string[] {
    return this.state.store.roleNames();
  }

  /** Gives `role` to a subject, everywhere or at `scope` and below. */
  assignRole(subjectId: string, role: string, scope?: string | null): boolean {
    return this.bumpIf(this.state.store.assignRole(subjectId, role, scope));
  }

  unassignRole(subjectId: string, role: string, scope?: string | null): boolean {
    return this.bumpIf(this.state.store.unassignRole(subjectId, role, scope));
  }

  /** ACL allow for one subject, everywhere or at `scope` and below. */
  grant(subjectId: string, urn: string, scope?: string | null): boolean {
    return this.bumpIf(this.state.store.grant(subjectId, urn, scope));
  }

  revoke(subjectId: string, urn: string, scope?: string | null): boolean {
    return this.bumpIf(this.state.store.revoke(subjectId, urn, scope));
  }

  /** ACL deny for one subject; beats every allow, whatever its source. */
  deny(subjectId: string, urn: string, scope?: string | null): boolean {
    return this.bumpIf(this.state.store.deny(subjectId, urn, scope));
  }

  revokeDeny(subjectId: string, urn: string, scope?: string | null): boolean {
    return this.bumpIf(this.state.store.revokeDeny(subjectId, urn, scope));
  }

  /**
   * The explaining check. A missing subject (anonymous request) is denied rather than thrown
   * on, because "no user" is an ordinary state for a resolver, not a programming error.
   */
  check(subject: Subject | null | undefined, urn: string, resource?: ResourceDescriptor | null): CheckResult {
    if (subject === null || subject === undefined) {
      return { allowed: false, reason: 'denied: no authenticated subject', matched: null, missing: [] };
    }
    return this.compile(subject).check(urn, resource);
  }

  /** Boolean check through the compiled (cached) path. */
  can(subject: Subject | null | undefined, urn: string, resource?: ResourceDescriptor | null): boolean {
    if (subject === null || subject === undefined) return false;
    return this.compile(subject).can(urn, resource);
  }

  /** See `CompiledAccess.hasRole`: inheritance and engine assignments included. */
  hasRole(subject: Subject | null | undefined, role: string, scope?: string | null): boolean {
    if (subject === null || subject === undefined) return false;
    return this.compile(subject).hasRole(role, scope);
  }

  /**
   * The per-subject decision object, cached by subject (id, tenant, carried roles). Cheap to
   * call per request; hold the result for the request's lifetime and call `can` freely.
   */
  compile(subject: Subject): CompiledAccess {
    // Resolvers call can/hasRole several times per request with the same subject object;
    // remembering it by identity skips rebuilding the cache key (a sort and a join) each time.
    // What was remembered is compared field by field (no allocation), so an object whose id,
    // tenant or roles were edited in place, e.g. a role spliced out, is never answered for
    // with the privileges it had before.
    const seen = this.bySubject.get(subject);
    if (seen !== undefined && seen.id === subject.id && seen.tenantId === subject.tenantId && sameRoles(seen.roles, subject.roles)) {
      return seen.compiled;
    }
    const normalized = normalizeSubject(subject);
    const cached = this.compiled.get(normalized.key);
    if (cached !== undefined) {
      this.remember(subject, cached);
      return cached;
    }
    const compiled = new CompiledAccess(this.state, normalized, this.maxUrns);
    if (this.compiled.size >= this.maxSubjects) {
      const oldest = this.compiled.keys().next();
      if (oldest.done !== true) this.compiled.delete(oldest.value);
    }
    this.compiled.set(normalized.key, compiled);
    this.remember(subject, compiled);
    return compiled;
  }

  toJSON(): PolicyDocument {
    return this.state.store.toDocument(this.state.version);
  }

  /**
   * Replaces the whole policy. The document is validated completely first, so a bad document
   * leaves the current policy in force. The version becomes the document's when that is ahead
   * of ours (processes loading the same document converge on the same stamp), else ours + 1.
   */
  load(policy: PolicyDocument): void {
    const store = PolicyStore.fromDocument(policy);
    const incoming = checkVersion(policy.version ?? 0);
    this.state.store = store;
    this.changed(Math.max(incoming, this.state.version + 1));
  }

  private remember(subject: Subject, compiled: CompiledAccess): void {
    const roles = (subject.roles ?? []).map((entry) => (typeof entry === 'string' ? { role: entry, scope: undefined } : { role: entry.role, scope: entry.scope ?? undefined }));
    this.bySubject.set(subject, { id: subject.id, tenantId: subject.tenantId, roles, compiled });
  }

  private bump(): void {
    this.changed(this.state.version + 1);
  }

  private bumpIf(changed: boolean): boolean {
    if (changed) this.bump();
    return changed;
  }

  private changed(version: number): void {
    this.state.version = version;
    this.state.generation++;
    // Every listener runs even if one throws: a broken subscriber must not stop the others
    // from hearing about the change. The first error is rethrown afterwards.
    let failure: unknown;
    let failed = false;
    for (const listener of this.listeners) {
      try {
        listener(version);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
    if (failed) throw failure;
  }
}

function checkVersion(version: unknown): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) throw new InvalidVersionError(version);
  return version;
}
