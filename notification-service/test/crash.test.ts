import { describe, expect, it } from 'vitest';
import { createTestFixture, deferred, spawnTestChild, waitForLine } from 'core-service/testing';
import { startSmtpSink } from '../src/dev-providers/smtp-sink.js';
import { deliveriesOf, startNotification, waitFor } from './helpers.js';

describe('crash', () => {
  it('a worker killed with SIGKILL mid-send: the email is delivered (at least once) and recorded once', { timeout: 120_000 }, async () => {
    const fixture = createTestFixture({ label: 'notifycrash' });
    const smtp = await startSmtpSink();
    const release = deferred();
    const held = deferred();
    smtp.setFault({ kind: 'hold', release: release.promise, onHeld: () => held.resolve() });
    // Consumes events and queues deliveries; sends nothing itself.
    const api = await startNotification({ fixture, smtp, overrides: { workers: false } });
    const child = spawnTestChild(new URL('./children/worker-process.ts', import.meta.url), 'notification-worker', {
      MONGO_URI: fixture.mongoUri,
      REDIS_URL: fixture.redisUrl,
      NOTIFICATION_DB: fixture.dbName('notification'),
      STREAM_KEY: fixture.key('events'),
      KEY_PREFIX: `${fixture.brand}:notification`,
      SMTP_URL: smtp.url,
    });
    await waitForLine(child, (lines) => lines.includes('ready'));

    const alice = await api.sources.register();
    const bob = await api.sources.register();
    await api.sources.transfer(alice.id, bob.id, 900);
    await held.promise;
    child.kill('SIGKILL');
    await child.exited;
    smtp.setFault(null);
    release.resolve();

    const restarted = await startNotification({ fixture, smtp, overrides: { consumeEvents: false, workerStall: { lockDurationMs: 1_000, stalledIntervalMs: 300 } } });
    await smtp.waitFor((m) => m.to.includes(bob.email), 30_000);
    await waitFor(async () => (await deliveriesOf(restarted, bob.id)).find((d) => d.channel === 'EMAIL')?.status === 'SENT', { what: 'the delivery recorded as sent', timeoutMs: 30_000 });
    const emails = (await deliveriesOf(restarted, bob.id)).filter((d) => d.channel === 'EMAIL');
    expect(emails).toHaveLength(1);
    expect(smtp.messages().filter((m) => m.to.includes(bob.email)).length).toBeGreaterThanOrEqual(1);
    await smtp.close();
  });
});
