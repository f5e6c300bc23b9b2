import { InvalidScopeError, InvalidSubjectError } from './errors.js';
import { parseOptionalScope } from './scope.js';

/**
 * A role carried on the subject itself, typically decoded from a JWT: a bare name applies
 * everywhere, `{ role, scope }` only at that scope and below.
 */
export type CarriedRole = string | { readonly role: string; readonly scope?: string | null };

/**
 * Who is asking. Roles may be carried here (JWT-driven services need no policy lookup for
 * them) and/or assigned in the engine with `assignRole`; a check sees the union of both.
 * `compile` re-reads id, tenant and roles on every call, so edits to a subject are seen there;
 * a `CompiledAccess` already obtained keeps answering for the subject as it was compiled.
 */
export interface Subject {
  readonly id: string;
  readonly tenantId?: string | null;
  readonly roles?: readonly CarriedRole[];
}

/**
 * Facts about the instance being acted on, needed by rules whose target is `own` (ownerId),
 * `tenant` (tenantId) or an explicit id (id), and by scoped rules (scope).
 */
export interface ResourceDescriptor {
  readonly id?: string | null;
  readonly ownerId?: string | null;
  readonly tenantId?: string | null;
  readonly scope?: string | null;
}

export interface NormalizedSubject {
  readonly id: string;
  readonly tenantId: string | undefined;
  readonly roles: readonly { readonly role: string; readonly scope: string | null }[];
  /** Identifies subjects that compile to the same decisions; the compile cache key. */
  readonly key: string;
}

export function normalizeSubject(subject: Subject): NormalizedSubject {
  if (subject === null || typeof subject !== 'object') throw new InvalidSubjectError('expected an object { id, tenantId?, roles? }');
  if (typeof subject.id !== 'string' || subject.id.length === 0) throw new InvalidSubjectError('id must be a non-empty string');
  // An empty tenant is no tenant: it must not make two tenant-less parties "the same tenant".
  const tenantId = subject.tenantId === '' ? undefined : (subject.tenantId ?? undefined);
  if (tenantId !== undefined && typeof tenantId !== 'string') throw new InvalidSubjectError('tenantId must be a string');
  const carried = subject.roles ?? [];
  if (!Array.isArray(carried)) throw new InvalidSubjectError('roles must be an array');
  const roles: { role: string; scope: string | null }[] = [];
  for (const entry of carried) {
    const role = typeof entry === 'string' ? entry : entry?.role;
    if (typeof role !== 'string' || role.length === 0) throw new InvalidSubjectError(`role entry ${JSON.stringify(entry)} has no role name`);
    let scope: string | null;
    try {
      scope = typeof entry === 'string' ? null : parseOptionalScope(entry.scope);
    } catch (error) {
      // A malformed scope in a token is the token's fault, reported as a subject problem.
      if (error instanceof InvalidScopeError) throw new InvalidSubjectError(`role ${JSON.stringify(role)}: ${error.message}`);
      throw error;
    }
    if (!roles.some((r) => r.role === role && r.scope === scope)) roles.push({ role, scope });
  }
  const roleKey = roles
    .map((r) => (r.scope === null ? r.role : `${r.role}@${r.scope}`))
    .sort()
    .join(',');
  // \u0000 cannot appear in ids that passed validation elsewhere, so keys cannot collide.
  return { id: subject.id, tenantId, roles, key: `${subject.id}\u0000${tenantId ?? ''}\u0000${roleKey}` };
}
