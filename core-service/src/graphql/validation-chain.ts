import { type, type Type } from 'arktype';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError, type GraphQLError } from '../errors/graphql-error.js';
import { toInvalidFields, type InvalidField } from '../validation/validation-error.js';
import type { SubgraphUser } from './subgraph-context.js';

/**
 * Who may do what: `can(user, 'wallet:read:own', { ownerId })`. The access engine's
 * `AccessEngine#can(subject, urn, resource)` fits as is; any function of this shape does.
 */
export type PermissionChecker = (user: SubgraphUser, urn: string, resource?: PermissionResource | null) => boolean | Promise<boolean>;

/** Facts about the instance acted on (owner, tenant, id, scope), for `own`/`tenant` targets. */
export interface PermissionResource {
  id?: string | null;
  ownerId?: string | null;
  tenantId?: string | null;
  scope?: string | null;
}

/** The least a resolver context must carry for the chain. */
export interface ValidationContext {
  user?: SubgraphUser | null;
  /** A per-request checker (e.g. a compiled access decision) wins over the chain's. */
  can?: PermissionChecker;
}

export interface ValidationRequest<TCtx extends ValidationContext = ValidationContext> {
  args: Readonly<Record<string, unknown>>;
  ctx: TCtx;
}

export type ValidationResult =
  | { valid: true; input: Record<string, unknown>; user: SubgraphUser | null }
  | {
      valid: false;
      /** Human-readable reason, as in the brief (`throw new Error(result.error)`). */
      error: string;
      code: string;
      /** Offending fields for BAD_USER_INPUT, in the SDK's shared shape (values never echoed). */
      fields?: InvalidField[];
      /** The error to throw from a resolver: coded, with the fields in its extensions. */
      graphqlError: GraphQLError;
    };

/** One step: returns nothing to continue, a failure to stop. Steps run in the order added. */
type Step = (state: ChainState) => void | Failure | Promise<void | Failure>;

interface ChainState {
  args: Readonly<Record<string, unknown>>;
  ctx: ValidationContext;
  input: Record<string, unknown>;
}

interface Failure {
  code: string;
  message: string;
  fields?: InvalidField[];
}

export type InputSource = 'input' | 'args';

/** Type names the brief uses (`{ roles: 'array' }`), mapped to arktype definitions. */
const SHORTHAND_TYPES: Readonly<Record<string, string>> = {
  array: 'unknown[]',
  object: 'object',
  string: 'string',
  number: 'number',
  integer: 'number.integer',
  boolean: 'boolean',
};

export interface ValidationChainOptions {
  /** Used by `requirePermission` when the request context brings no `can` of its own. */
  can?: PermissionChecker;
}

export interface ValidationChainBuilder {
  /** Stops anonymous callers with UNAUTHENTICATED. */
  requireAuth(): ValidationChainBuilder;
  /** Takes `args[key]` (default `input`) as the input the later steps check; `args` itself when absent. */
  extractInput(key?: string): ValidationChainBuilder;
  /**
   * Requires permission `resource:action:target`; FORBIDDEN otherwise. `resourceOf` describes
   * the instance (owner, tenant) for `own`/`tenant` targets.
   */
  requirePermission(
    resource: string,
    action: string,
    target?: string,
    resourceOf?: (input: Record<string, unknown>, ctx: ValidationContext) => PermissionResource | null | undefined,
  ): ValidationChainBuilder;
  /** Each field must be present and non-empty; BAD_USER_INPUT lists every missing one. */
  requireFields(fields: readonly string[], source?: InputSource): ValidationChainBuilder;
  /**
   * Checks the types of the fields present: a map of field → arktype definition (or a brief
   * shorthand: 'array', 'object', 'string', 'number', 'integer', 'boolean'), or a whole arktype
   * type. BAD_USER_INPUT lists every bad field.
   */
  validateTypes(schema: Readonly<Record<string, string>> | Type, source?: InputSource): ValidationChainBuilder;
  /** Any other rule: return `{ code, message, fields? }` to stop the request. */
  custom(check: (input: Record<string, unknown>, ctx: ValidationContext) => void | Failure | Promise<void | Failure>): ValidationChainBuilder;
  build(): ValidationChain;
}

export interface ValidationChain {
  /** Runs every step; never throws for a failed rule. */
  handle(request: ValidationRequest<ValidationContext>): Promise<ValidationResult>;
  /** Runs every step and throws the coded GraphQLError on failure; returns the checked input. */
  enforce(request: ValidationRequest<ValidationContext>): Promise<Record<string, unknown>>;
}

/**
 * The brief's validation chain. Each rule is a small step; the chain stops at the first failing
 * step, so a cheap `requireAuth` keeps anonymous callers away from permission lookups.
 */
export function createValidationChain(options: ValidationChainOptions = {}): ValidationChainBuilder {
  const steps: Step[] = [];
  const builder: ValidationChainBuilder = {
    requireAuth() {
      steps.push(({ ctx }) => (ctx.user ? undefined : { code: CORE_ERRORS.Unauthenticated, message: 'Authentication required' }));
      return builder;
    },
    extractInput(key = 'input') {
      steps.push((state) => {
        const value = state.args[key];
        state.input = isRecord(value) ? value : { ...state.args };
      });
      return builder;
    },
    requirePermission(resource, action, target = '*', resourceOf) {
      const urn = `${resource}:${action}:${target}`;
      steps.push(async ({ ctx, input }) => {
        if (!ctx.user) return { code: CORE_ERRORS.Unauthenticated, message: 'Authentication required' };
        const can = ctx.can ?? options.can;
        // A missing checker is a wiring bug, not the caller's fault: fail as an internal error.
        if (!can) throw new Error(`requirePermission(${urn}): no permission checker configured`);
        const allowed = await can(ctx.user, urn, resourceOf?.(input, ctx) ?? null);
        return allowed ? undefined : { code: CORE_ERRORS.Forbidden, message: `Missing permission ${urn}` };
      });
      return builder;
    },
    requireFields(fields, source = 'input') {
      steps.push((state) => {
        const data = source === 'args' ? state.args : state.input;
        const missing = fields.filter((field) => isBlank(readPath(data, field)));
        if (missing.length === 0) return undefined;
        return {
          code: CORE_ERRORS.BadUserInput,
          message: `Missing required field${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`,
          fields: missing.map((path) => ({ path, message: 'must be provided', code: 'required' })),
        };
      });
      return builder;
    },
    validateTypes(schema, source = 'input') {
      const checker = typeof schema === 'function' ? schema : compileFieldTypes(schema);
      steps.push((state) => {
        const data = source === 'args' ? state.args : state.input;
        const outcome = checker(data);
        if (!(outcome instanceof type.errors)) return undefined;
        const fields = toInvalidFields(outcome);
        return {
          code: CORE_ERRORS.BadUserInput,
          message: `Invalid input: ${fields.map((f) => f.path || '(input)').join(', ')}`,
          fields,
        };
      });
      return builder;
    },
    custom(check) {
      steps.push(({ input, ctx }) => check(input, ctx));
      return builder;
    },
    build() {
      const frozen = [...steps];
      const handle = async (request: ValidationRequest<ValidationContext>): Promise<ValidationResult> => {
        const state: ChainState = { args: request.args, ctx: request.ctx, input: { ...request.args } };
        for (const step of frozen) {
          const failure = await step(state);
          if (failure) {
            return {
              valid: false,
              error: failure.message,
              code: failure.code,
              ...(failure.fields ? { fields: failure.fields } : {}),
              graphqlError: createServiceError(failure.code, failure.message, failure.fields ? { fields: failure.fields } : {}),
            };
          }
        }
        return { valid: true, input: state.input, user: request.ctx.user ?? null };
      };
      return {
        handle,
        async enforce(request) {
          const result = await handle(request);
          if (!result.valid) throw result.graphqlError;
          return result.input;
        },
      };
    },
  };
  return builder;
}

function compileFieldTypes(fields: Readonly<Record<string, string>>): (data: unknown) => unknown {
  // Optional keys: presence is requireFields' job; this step judges the values that are there.
  const definition = Object.fromEntries(Object.entries(fields).map(([field, def]) => [`${field}?`, SHORTHAND_TYPES[def] ?? def]));
  // Compiled once at build time, so a typo in a definition fails at start-up, not per request.
  return type(definition as never) as unknown as (data: unknown) => unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** `a.b.c` paths, so `requireFields(['address.city'])` works on nested input. */
function readPath(data: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = data;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}
