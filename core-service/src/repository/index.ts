export { createRepository } from './repository.js';
export type {
  CreateInput,
  FindManyOptions,
  Repository,
  RepositoryCallOptions,
  RepositoryConfig,
  RepositoryDocument,
  UpdatePatch,
} from './repository.js';
export type { RepositoryCache } from './repository-cache.js';
export { validateDocument } from './validate-document.js';
export type { DocumentSchema, ValidationMode } from './validate-document.js';
