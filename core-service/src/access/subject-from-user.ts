import type { Subject } from 'access-engine';

/** The least a caller needs to be an access-engine subject (a `SubgraphUser` fits). */
export interface UserLike {
  readonly id: string;
  readonly tenantId?: string | null;
  readonly roles?: readonly string[];
}

/**
 * The access-engine subject for a request's user; null for anonymous callers. Copies the role
 * list so later edits to the user object cannot change a subject already compiled.
 */
export function subjectFromUser(user: UserLike | null | undefined): Subject | null {
  if (user === null || user === undefined || typeof user.id !== 'string' || user.id.length === 0) return null;
  return { id: user.id, tenantId: user.tenantId ?? null, roles: [...(user.roles ?? [])] };
}
