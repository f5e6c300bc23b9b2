import { CompiledAccess } from './compiled.js';
import { AccessEngine } from './engine.js';
import { MissingEngineError } from './errors.js';
import { isWithinScope } from './scope.js';
import type { ResourceDescriptor, Subject } from './subject.js';

/**
 * What resolvers hand to the helpers: the request's subject and the engine (or the subject's
 * compiled decision object, which is faster when a request checks many times).
 */
export interface AccessContext {
  readonly user?: Subject | null;
  readonly access?: AccessEngine | CompiledAccess | null;
}

/** A context, or a bare subject for the helpers that need no engine. */
export type SubjectSource = AccessContext | Subject | null | undefined;

function subjectOf(source: SubjectSource): Subject | undefined {
  if (source === null || source === undefined) return undefined;
  if ('user' in source || 'access' in source) return (source as AccessContext).user ?? undefined;
  return typeof (source as Subject).id === 'string' ? (source as Subject) : undefined;
}

function accessOf(source: SubjectSource): AccessEngine | CompiledAccess | undefined {
  if (source === null || source === undefined || !('access' in source)) return undefined;
  return (source as AccessContext).access ?? undefined;
}

export function isAuthenticated(source: SubjectSource): boolean {
  const subject = subjectOf(source);
  return subject !== undefined && typeof subject.id === 'string' && subject.id.length > 0;
}

/**
 * With an engine in the context, inheritance and engine-held assignments count. Without one
 * only roles carried on the subject can be seen. Either way, without `scope` the role must be
 * held everywhere; with `scope`, held there or above.
 */
export function hasRole(source: SubjectSource, role: string, scope?: string | null): boolean {
  const subject = subjectOf(source);
  if (subject === undefined) return false;
  const access = accessOf(source);
  if (access instanceof AccessEngine) return access.hasRole(subject, role, scope);
  if (access instanceof CompiledAccess) return access.hasRole(role, scope);
  for (const entry of subject.roles ?? []) {
    const name = typeof entry === 'string' ? entry : entry.role;
    if (name !== role) continue;
    const held = typeof entry === 'string' ? null : (entry.scope ?? null);
    if (held === null) return true;
    if (scope !== undefined && scope !== null && isWithinScope(scope, held)) return true;
  }
  return false;
}

/** `true` when the context's subject may do `urn` to `resource`; unauthenticated → false. */
export function can(source: AccessContext | null | undefined, urn: string, resource?: ResourceDescriptor | null): boolean {
  const subject = subjectOf(source);
  if (subject === undefined) return false;
  const access = accessOf(source);
  if (access === undefined) throw new MissingEngineError('can');
  return access instanceof CompiledAccess ? access.can(urn, resource) : access.can(subject, urn, resource);
}

/** The subject owns the resource; false when either side lacks the id. */
export function isOwner(source: SubjectSource, resource: ResourceDescriptor | string | null | undefined): boolean {
  const subject = subjectOf(source);
  const ownerId = typeof resource === 'string' ? resource : resource?.ownerId;
  return subject !== undefined && typeof ownerId === 'string' && ownerId.length > 0 && ownerId === subject.id;
}

/** The resource is in the subject's tenant; false when either tenant is unknown (never "both undefined"). */
export function sameTenant(source: SubjectSource, resource: ResourceDescriptor | string | null | undefined): boolean {
  const subject = subjectOf(source);
  const tenantId = typeof resource === 'string' ? resource : resource?.tenantId;
  const own = subject?.tenantId;
  return typeof own === 'string' && own.length > 0 && tenantId === own;
}
