import { type } from 'arktype';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  ConfigValidationError,
  createConfigStore,
  getConfigWithDefault,
  registerServiceConfigDefaults,
  setDefaultConfigStore,
  toConfigEnvName,
  type ConfigStoreOptions,
} from '../../src/config/index.js';
import { getErrorCode } from '../../src/errors/index.js';
import { createTestFixture, type TestFixture } from '../../src/testing/index.js';
import { connectTestRedis, nextEvent } from '../cache/cache-fixture.js';

const JwtConfig = type({ expiresIn: 'string', secret: 'string', 'issuer?': 'string' });

/** A store over the fixture's own `core_service` database and channel prefix. */
async function createTestStore(fixture: TestFixture, options: Partial<ConfigStoreOptions> = {}) {
  const store = createConfigStore({
    db: await fixture.db('core_service'),
    redis: await connectTestRedis(fixture.redisUrl),
    channelPrefix: fixture.keyPrefix,
    env: {},
    ...options,
  });
  await store.ensureIndexes();
  await store.start();
  onTestFinished(() => store.close());
  return store;
}

function registerAuthDefaults(fixture: TestFixture): string {
  const service = `auth-service-${fixture.id}`;
  registerServiceConfigDefaults(service, {
    jwt: { value: { expiresIn: '8h', secret: 'default-secret' }, sensitivePaths: ['jwt.secret'], schema: JwtConfig },
    otpLength: { value: 6, schema: type('number.integer >= 4') },
  });
  return service;
}

describe('config store', () => {
  it('resolves a registered default and creates its document in the store', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const store = await createTestStore(fixture);

    expect(await store.getWithDefault(service, 'otpLength')).toBe(6);
    const document = await (await fixture.db('core_service')).collection('service_configs').findOne({ service, key: 'otpLength' });
    expect(document).toMatchObject({ service, key: 'otpLength', value: 6 });
  });

  it('prefers env over the store and the store over defaults', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const store = await createTestStore(fixture);
    expect((await store.resolveConfig(service, 'otpLength')).source).toBe('default');

    await store.set(service, 'otpLength', 8);
    expect(await store.resolveConfig(service, 'otpLength')).toMatchObject({ value: 8, source: 'store' });

    const withEnv = await createTestStore(fixture, { env: { [toConfigEnvName(service, 'otpLength')]: '10' } });
    expect(toConfigEnvName('auth-service', 'otpLength')).toBe('AUTH_SERVICE_OTP_LENGTH');
    expect(await withEnv.resolveConfig(service, 'otpLength')).toMatchObject({ value: 10, source: 'env' });
  });

  it('masks sensitive paths in every read meant to leave the service', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const store = await createTestStore(fixture);
    await store.set(service, 'jwt', { expiresIn: '1h', secret: 'real-secret', issuer: 'acme' });

    expect(await store.get(service, 'jwt')).toEqual({ expiresIn: '1h', secret: 'real-secret', issuer: 'acme' });
    expect((await store.getMasked(service, 'jwt')).value).toEqual({ expiresIn: '1h', secret: '***', issuer: 'acme' });
    const listed = await store.list(service);
    expect(listed.map((entry) => entry.key)).toEqual(['jwt', 'otpLength']);
    expect(JSON.stringify(listed)).not.toContain('real-secret');
  });

  it('rejects a bad value written by an admin, and stores nothing', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const store = await createTestStore(fixture);

    const attempt = store.set(service, 'otpLength', 2);
    await expect(attempt).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(attempt).rejects.toMatchObject({ extensions: { code: 'MSCoreInvalidConfig', source: 'write' } });
    expect(await store.get(service, 'otpLength')).toBe(6);
  });

  it('fails with a typed error when env or the store holds a bad value', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const badEnv = await createTestStore(fixture, { env: { [toConfigEnvName(service, 'otpLength')]: 'six' } });
    const envError = await badEnv.get(service, 'otpLength').catch((error: unknown) => error);
    expect(envError).toBeInstanceOf(ConfigValidationError);
    expect(envError).toMatchObject({ configSource: 'env', key: 'otpLength' });

    // A document edited by hand, bypassing validation.
    await (await fixture.db('core_service')).collection('service_configs').insertOne({ service, key: 'jwt', value: { expiresIn: 8 }, sensitivePaths: ['jwt.secret'], updatedAt: new Date() });
    const store = await createTestStore(fixture);
    const storeError = await store.get(service, 'jwt').catch((error: unknown) => error);
    expect(storeError).toBeInstanceOf(ConfigValidationError);
    expect(getErrorCode(storeError)).toBe('MSCoreInvalidConfig');
    expect((storeError as ConfigValidationError).fields.map((field) => field.path).sort()).toEqual(['expiresIn', 'secret']);
  });

  it('reloads on other instances when a value changes', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const admin = await createTestStore(fixture);
    const worker = await createTestStore(fixture);
    expect(await worker.get(service, 'otpLength')).toBe(6);

    const changed = nextEvent(worker, 'changed');
    await admin.set(service, 'otpLength', 7);
    expect((await changed)[0]).toEqual({ service, key: 'otpLength' });
    expect(await worker.get(service, 'otpLength')).toBe(7);
  });

  it('creates a missing document once when instances start together, never overwriting a stored value', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const [a, b] = await Promise.all([createTestStore(fixture), createTestStore(fixture)]);
    await Promise.all([a.getWithDefault(service, 'otpLength'), b.getWithDefault(service, 'otpLength')]);
    const collection = (await fixture.db('core_service')).collection('service_configs');
    expect(await collection.countDocuments({ service, key: 'otpLength' })).toBe(1);

    await a.set(service, 'otpLength', 9);
    const late = await createTestStore(fixture);
    expect(await late.getWithDefault(service, 'otpLength')).toBe(9);
  });

  it('serves getConfigWithDefault through the default store', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    const store = await createTestStore(fixture);
    setDefaultConfigStore(store);
    onTestFinished(() => setDefaultConfigStore(undefined));
    expect(await getConfigWithDefault<{ expiresIn: string }>(service, 'jwt')).toMatchObject({ expiresIn: '8h' });
  });

  it('resolves env and defaults without a store', async () => {
    const fixture = createTestFixture();
    const service = registerAuthDefaults(fixture);
    expect(await getConfigWithDefault(service, 'otpLength')).toBe(6);
    await expect(getConfigWithDefault(service, 'missing')).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
