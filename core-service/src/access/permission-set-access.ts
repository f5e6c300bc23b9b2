import { AccessEngine, type CompiledAccess, type Subject } from 'access-engine';
import { decodeTokenPermissions } from './token-permissions.js';

/** What a subgraph knows about the caller: the token's identity and its compiled URNs. */
export interface PermissionBearer {
  readonly id: string;
  readonly tenantId?: string | null;
  readonly permissions: readonly string[];
}

export interface PermissionSetAccessOptions {
  /** Distinct permission sets kept as synthetic roles; oldest dropped first. Default 1,000. */
  readonly maxPermissionSets?: number;
}

const SYNTHETIC_ROLE_PREFIX = 'token-permissions.';

/**
 * Decides from a token's permission URNs without the policy. Each distinct permission set
 * becomes one synthetic role in a private engine, and a caller is compiled as a subject holding
 * just that role, so the decision is access-engine's own compiled `can` (own/tenant targets,
 * wildcards, deny beats allow) rather than a second, hand-written matcher that could drift.
 *
 * Distinct sets are few (one per combination of roles, plus the odd per-user grant), so the
 * synthetic roles are built once and shared by every request carrying the same set. Evicting a
 * set moves the private engine's version, which only costs the other subjects a recompile.
 */
export class PermissionSetAccess {
  readonly engine = new AccessEngine();
  private readonly roleBySet = new Map<string, string>();
  private readonly maxSets: number;
  private nextRoleId = 0;

  constructor(options: PermissionSetAccessOptions = {}) {
    this.maxSets = Math.max(1, Math.floor(options.maxPermissionSets ?? 1_000));
  }

  /** The compiled decision object for a bearer; cheap on a warm set, hold it for the request. */
  compile(bearer: PermissionBearer): CompiledAccess {
    const role = this.roleFor(bearer.permissions);
    const subject: Subject = { id: bearer.id, tenantId: bearer.tenantId ?? null, roles: [role] };
    return this.engine.compile(subject);
  }

  /** How many distinct permission sets are held (for metrics and tests). */
  get size(): number {
    return this.roleBySet.size;
  }

  private roleFor(permissions: readonly string[]): string {
    // Order and duplicates in the claim must not make two equal sets look different.
    const key = [...new Set(permissions)].sort().join('\n');
    const known = this.roleBySet.get(key);
    if (known !== undefined) {
      // Re-insert: a Map iterates in insertion order, which makes the first key the least recently used.
      this.roleBySet.delete(key);
      this.roleBySet.set(key, known);
      return known;
    }
    const name = `${SYNTHETIC_ROLE_PREFIX}${this.nextRoleId++}`;
    const { permissions: allows, denies } = decodeTokenPermissions(key === '' ? [] : key.split('\n'));
    // addRole validates every URN: a malformed claim throws here instead of never matching.
    this.engine.addRole({ name, permissions: allows, denies });
    if (this.roleBySet.size >= this.maxSets) {
      const oldest = this.roleBySet.entries().next();
      if (oldest.done !== true) {
        this.roleBySet.delete(oldest.value[0]);
        this.engine.removeRole(oldest.value[1]);
      }
    }
    this.roleBySet.set(key, name);
    return name;
  }
}

let shared: PermissionSetAccess | undefined;

/** The process-wide instance the context helpers use. */
export function getPermissionSetAccess(): PermissionSetAccess {
  shared ??= new PermissionSetAccess();
  return shared;
}
