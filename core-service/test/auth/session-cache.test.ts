import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { createSessionCache, isSessionRevoked, sessionCacheKey, sessionRevocationChannel } from '../../src/auth/index.js';
import { duplicateConnection } from '../../src/redis/duplicate-connection.js';
import { createTestFixture } from '../../src/testing/index.js';

describe('session cache', () => {
  it('uses the auth-service accessor key scheme {brand}:auth:session:{sid}', () => {
    expect(sessionCacheKey('s1', 'acme')).toBe('acme:auth:session:s1');
    expect(sessionCacheKey('s1')).toBe('auth:session:s1');
  });

  it('reports a revoked session at once, with an expiry bounded by the access token lifetime', async () => {
    const fixture = createTestFixture({ label: 'sessions' });
    const redis = fixture.redis();
    const cache = createSessionCache({ redis, brand: fixture.brand });
    await cache.markActive('s1', 900);
    expect(await cache.getState('s1')).toBe('active');
    expect(await isSessionRevoked('s1', { redis, brand: fixture.brand })).toBe(false);
    await cache.markRevoked(['s1', 's2'], 900);
    expect(await isSessionRevoked('s1', { redis, brand: fixture.brand })).toBe(true);
    expect(await cache.isSessionRevoked('s2')).toBe(true);
    const ttl = await redis.ttl(sessionCacheKey('s1', fixture.brand));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(900);
  });

  it('never turns a revoked session active again (a refresh racing a logout)', async () => {
    const fixture = createTestFixture({ label: 'sessions' });
    const cache = createSessionCache({ redis: fixture.redis(), brand: fixture.brand });
    await cache.markRevoked(['s1'], 900);
    await cache.markActive('s1', 900);
    expect(await cache.getState('s1')).toBe('revoked');
  });

  it('treats an unknown session as valid by default and as revoked in strict mode', async () => {
    const fixture = createTestFixture({ label: 'sessions' });
    const cache = createSessionCache({ redis: fixture.redis(), brand: fixture.brand });
    expect(await cache.getState('nope')).toBe('unknown');
    expect(await cache.isSessionRevoked('nope')).toBe(false);
    expect(await cache.isSessionRevoked('nope', { unknownIsRevoked: true })).toBe(true);
  });

  it("announces revocations on the brand's channel, written before the announcement arrives", async () => {
    const fixture = createTestFixture({ label: 'sessions' });
    const redis = fixture.redis();
    const cache = createSessionCache({ redis, brand: fixture.brand });
    const listener = await duplicateConnection(redis);
    try {
      expect(sessionRevocationChannel(fixture.brand)).toBe(`${fixture.brand}:auth:session-revoked`);
      await listener.subscribe(sessionRevocationChannel(fixture.brand));
      const announced = once(listener, 'message');
      await cache.markRevoked(['s1', 's2'], 900);
      const [, text] = (await announced) as [string, string];
      expect(JSON.parse(text)).toEqual(['s1', 's2']);
      // A gateway told of it reads the keys in one round trip and finds them revoked.
      expect(await cache.getStates(['s1', 'never-seen', 's2'])).toEqual(['revoked', 'unknown', 'revoked']);
    } finally {
      listener.disconnect();
    }
  });
});
