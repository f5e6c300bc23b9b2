/**
 * Error codes are data: callers (and core-service's error mapping) switch on `code`, never on
 * message text or class name, so the codes are listed once here.
 */
export const ACCESS_ERRORS = {
  InvalidUrn: 'ACCESS_INVALID_URN',
  EmptyUrnSegment: 'ACCESS_EMPTY_URN_SEGMENT',
  InvalidScope: 'ACCESS_INVALID_SCOPE',
  InvalidRoleName: 'ACCESS_INVALID_ROLE_NAME',
  UnknownRole: 'ACCESS_UNKNOWN_ROLE',
  RoleCycle: 'ACCESS_ROLE_CYCLE',
  RoleInUse: 'ACCESS_ROLE_IN_USE',
  InvalidSubject: 'ACCESS_INVALID_SUBJECT',
  InvalidPolicy: 'ACCESS_INVALID_POLICY',
  InvalidVersion: 'ACCESS_INVALID_VERSION',
  MissingEngine: 'ACCESS_MISSING_ENGINE',
} as const;

export type AccessErrorCode = (typeof ACCESS_ERRORS)[keyof typeof ACCESS_ERRORS];

/** Every error this package throws; `instanceof AccessEngineError` catches them all. */
export class AccessEngineError extends Error {
  readonly code: AccessErrorCode;

  constructor(code: AccessErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export class InvalidUrnError extends AccessEngineError {
  readonly urn: string;

  constructor(urn: string, problem: string, code: AccessErrorCode = ACCESS_ERRORS.InvalidUrn) {
    super(code, `invalid permission URN ${JSON.stringify(urn)}: ${problem}`);
    this.urn = urn;
  }
}

/** A subclass of InvalidUrnError so callers that only care "was the URN bad" need one catch. */
export class EmptyUrnSegmentError extends InvalidUrnError {
  readonly segment: 'resource' | 'action' | 'target';

  constructor(urn: string, segment: 'resource' | 'action' | 'target') {
    super(urn, `the ${segment} segment is empty`, ACCESS_ERRORS.EmptyUrnSegment);
    this.segment = segment;
  }
}

export class InvalidScopeError extends AccessEngineError {
  readonly scope: string;

  constructor(scope: string, problem: string) {
    super(ACCESS_ERRORS.InvalidScope, `invalid scope ${JSON.stringify(scope)}: ${problem}`);
    this.scope = scope;
  }
}

export class InvalidRoleNameError extends AccessEngineError {
  readonly role: string;

  constructor(role: string, problem: string) {
    super(ACCESS_ERRORS.InvalidRoleName, `invalid role name ${JSON.stringify(role)}: ${problem}`);
    this.role = role;
  }
}

export class UnknownRoleError extends AccessEngineError {
  readonly role: string;

  constructor(role: string, context: string) {
    super(ACCESS_ERRORS.UnknownRole, `unknown role ${JSON.stringify(role)} (${context})`);
    this.role = role;
  }
}

export class RoleCycleError extends AccessEngineError {
  /** The roles on the cycle, first one repeated at the end: `['a', 'b', 'a']`. */
  readonly cycle: readonly string[];

  constructor(cycle: readonly string[]) {
    super(ACCESS_ERRORS.RoleCycle, `role inheritance cycle: ${cycle.join(' → ')}`);
    this.cycle = cycle;
  }
}

export class RoleInUseError extends AccessEngineError {
  readonly role: string;
  readonly inheritedBy: readonly string[];

  constructor(role: string, inheritedBy: readonly string[]) {
    super(ACCESS_ERRORS.RoleInUse, `role ${JSON.stringify(role)} cannot be removed: inherited by ${inheritedBy.map((r) => JSON.stringify(r)).join(', ')}`);
    this.role = role;
    this.inheritedBy = inheritedBy;
  }
}

export class InvalidSubjectError extends AccessEngineError {
  constructor(problem: string) {
    super(ACCESS_ERRORS.InvalidSubject, `invalid subject: ${problem}`);
  }
}

export class InvalidPolicyError extends AccessEngineError {
  constructor(problem: string, options?: { cause?: unknown }) {
    super(ACCESS_ERRORS.InvalidPolicy, `invalid policy document: ${problem}`);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export class InvalidVersionError extends AccessEngineError {
  constructor(version: unknown) {
    super(ACCESS_ERRORS.InvalidVersion, `policy version must be a non-negative safe integer, got ${String(version)}`);
  }
}

export class MissingEngineError extends AccessEngineError {
  constructor(helper: string) {
    super(ACCESS_ERRORS.MissingEngine, `${helper}: the context has no access engine (ctx.access); permission checks need one`);
  }
}
