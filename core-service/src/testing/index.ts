export { createTestFixture, getTestMongoClient, createTestRedis, closeTestConnections } from './fixture.js';
export type { TestFixture, CreateTestFixtureOptions } from './fixture.js';
export { getTestInfrastructure } from './provided-context.js';
export type { TestInfrastructure } from './provided-context.js';
export { startRedisServer, assertRedisServerInstalled, RedisServerMissingError } from './redis-server.js';
export type { RedisServerHandle, StartRedisServerOptions } from './redis-server.js';
export { getFreePort } from './free-port.js';
export { deferred, nextEvent } from './async.js';
export type { Deferred } from './async.js';
