export { createSubgraphServer } from './subgraph-server.js';
export type { SubgraphServer, SubgraphServerOptions, SubgraphRoute, ReadinessReport, SubgraphLifecycleHooks } from './subgraph-server.js';
export type { SubgraphContext, SubgraphUser } from './subgraph-context.js';
export { userFromClaims } from './subgraph-context.js';
export { buildServiceSchema } from './subgraph-schema.js';
export type { SubgraphResolvers, TypeDefsInput } from './subgraph-schema.js';
export { formatSubgraphError } from './format-subgraph-error.js';
export { AmountScalar, DateTimeScalar, JSONScalar, STANDARD_SCALARS } from './scalars.js';
export {
  signUserContext,
  verifyUserContext,
  USER_CONTEXT_HEADER,
  USER_CONTEXT_SIGNATURE_HEADER,
  MIN_CONTEXT_SECRET_LENGTH,
  contextSecretsFromEnv,
} from './context-signing.js';
export type {
  UserContextClaims,
  UserContextInput,
  SignedUserContextHeaders,
  UserContextRejection,
  UserContextVerification,
  VerifyUserContextOptions,
} from './context-signing.js';
export { FEDERATION_PACKAGE_VERSION, APOLLO_SERVER_VERSION, FEDERATION_SPEC_URL } from './federation-version.js';
export { createValidationChain } from './validation-chain.js';
export type {
  PermissionChecker,
  PermissionResource,
  ValidationChain,
  ValidationChainBuilder,
  ValidationChainOptions,
  ValidationContext,
  ValidationRequest,
  ValidationResult,
  InputSource,
} from './validation-chain.js';
export { createResolverBuilder } from './resolver-builder.js';
export type { ResolverBuilder, OperationResolver, OperationOptions, ResolverSource } from './resolver-builder.js';
export { selectsField } from './selection.js';
