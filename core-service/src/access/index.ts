/**
 * `core-service/access`: access-engine for services. Everything access-engine exports is here;
 * the resolver helpers (`can`, `hasRole`, `isOwner`, `sameTenant`, `isAuthenticated`) are
 * replaced by versions that also accept a subgraph context, whose token permissions decide
 * when no engine is in the context (local exports win over `export *`).
 */
export * from 'access-engine';
export { subjectFromUser, type UserLike } from './subject-from-user.js';
export {
  PermissionSetAccess,
  getPermissionSetAccess,
  type PermissionBearer,
  type PermissionSetAccessOptions,
} from './permission-set-access.js';
export {
  DENY_PREFIX,
  encodeTokenPermissions,
  decodeTokenPermissions,
  effectiveRoleNames,
  type TokenPermissionSet,
  type EncodeTokenPermissionsOptions,
} from './token-permissions.js';
export {
  accessFor,
  can,
  hasRole,
  isOwner,
  sameTenant,
  isAuthenticated,
  requireAuthenticated,
  requirePermission,
  requireCallerTenant,
  createRequestAccess,
  tokenPermissionChecker,
  type AccessUser,
  type AccessRequestContext,
  type RequestAccess,
} from './context-helpers.js';
