export { AccessEngine, type AccessEngineOptions, type PolicyChangeListener } from './engine.js';
export { CompiledAccess } from './compiled.js';
export type { CheckResult, MissingFact } from './check.js';
export type { MatchedRule } from './rules.js';
export type {
  PolicyDocument,
  PolicyRuleEntry,
  PolicyAssignmentEntry,
  Role,
  RoleInput,
} from './policy.js';
export type { Subject, CarriedRole, ResourceDescriptor } from './subject.js';
export { parseUrn, isValidUrn, formatUrn, WILDCARD, OWN_TARGET, TENANT_TARGET, type Urn, type TargetKind } from './urn.js';
export { parseScope, isWithinScope, scopePath, SCOPE_SEPARATOR } from './scope.js';
export { hasRole, can, isAuthenticated, isOwner, sameTenant, type AccessContext, type SubjectSource } from './helpers.js';
export {
  ACCESS_ERRORS,
  type AccessErrorCode,
  AccessEngineError,
  InvalidUrnError,
  EmptyUrnSegmentError,
  InvalidScopeError,
  InvalidRoleNameError,
  UnknownRoleError,
  RoleCycleError,
  RoleInUseError,
  InvalidSubjectError,
  InvalidPolicyError,
  InvalidVersionError,
  MissingEngineError,
} from './errors.js';
