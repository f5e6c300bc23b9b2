/**
 * embedded-mongo: a MongoDB wire-protocol server for development and tests (never production).
 * The official `mongodb` driver connects to it like to a one-member replica set.
 */
export { startEmbeddedMongo, replicaSetUri } from './server/embedded-mongo.js';
export type { EmbeddedMongo, EmbeddedMongoOptions } from './server/embedded-mongo.js';
export { MongoCommandError, ErrorCode } from './errors.js';
export { spawnEmbeddedMongo } from './spawn-embedded-mongo.js';
export type { SpawnedEmbeddedMongo } from './spawn-embedded-mongo.js';
