import { Queue } from 'bullmq';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { withTransaction } from '../../src/database/transaction.js';
import { createIntegrationEvent, createUnifiedEmitter, type IntegrationEvent } from '../../src/events/index.js';
import { createLogger } from '../../src/logger/index.js';
import { createTestFixture, type TestFixture } from '../../src/testing/index.js';
import { createWebhookManager, isPrivateAddress, verifyWebhookSignature, WebhookDestinationError, type CreateWebhookManagerOptions } from '../../src/webhooks/index.js';
import { createBusForTest } from '../events/support/bus-fixture.js';
import { waitFor } from '../events/support/conditions.js';
import { startRecordingReceiver } from './support/recording-receiver.js';

async function createManagerForTest(fixture: TestFixture, options: Partial<CreateWebhookManagerOptions> = {}) {
  const db = options.db ?? (await fixture.db('payment'));
  const manager = createWebhookManager({
    db,
    serviceName: 'payment-service',
    redis: fixture.redis(),
    queuePrefix: fixture.key('bull'),
    retryConfig: { maxAttempts: 3, backoffMs: 100 },
    // the receivers of these tests listen on 127.0.0.1
    allowPrivateNetworks: true,
    ...options,
  });
  return { manager, db };
}

describe('webhook manager', () => {
  it('registers, lists (secret masked), updates and deletes endpoints per tenant', async () => {
    const fixture = createTestFixture({ label: 'whcrud' });
    const { manager } = await createManagerForTest(fixture, { startWorker: false });
    try {
      const created = await manager.register({ tenantId: fixture.tenantId, url: 'https://example.com/hook', events: ['transfer.completed', 'payment.*'] });
      expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{40,}$/);
      await manager.register({ tenantId: `${fixture.tenantId}-other`, url: 'https://other.example/hook', events: ['*'], secret: 'whsec_other_tenant_1234' });

      const listed = await manager.list(fixture.tenantId);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: created.id, url: 'https://example.com/hook', enabled: true });
      expect(listed[0]!.secret).toBe(`whsec_…${created.secret.slice(-4)}`);
      expect(JSON.stringify(listed)).not.toContain(created.secret);

      const updated = await manager.update(fixture.tenantId, created.id, { events: ['deposit.completed'] });
      expect(updated?.events).toEqual(['deposit.completed']);
      // another tenant cannot touch it
      expect(await manager.update(`${fixture.tenantId}-other`, created.id, { url: 'https://evil.example' })).toBeNull();
      expect(await manager.delete(`${fixture.tenantId}-other`, created.id)).toBe(false);
      expect(await manager.delete(fixture.tenantId, created.id)).toBe(true);
      expect(await manager.list(fixture.tenantId)).toEqual([]);
      await expect(manager.register({ tenantId: fixture.tenantId, url: 'ftp://x', events: ['a'] })).rejects.toThrow(/http/);
    } finally {
      await manager.close();
    }
  });

  it('delivers a signed request to matching endpoints only; the receiver verifies it and gets the payload intact', async () => {
    const fixture = createTestFixture({ label: 'whdeliver' });
    const receiver = await startRecordingReceiver(200);
    const unrelated = await startRecordingReceiver(200);
    const { manager } = await createManagerForTest(fixture);
    try {
      const hook = await manager.register({ tenantId: fixture.tenantId, url: receiver.url, events: ['transfer.*'] });
      await manager.register({ tenantId: fixture.tenantId, url: unrelated.url, events: ['deposit.completed'] });
      const payload = { tenantId: fixture.tenantId, userId: 'user-9', transferId: 'tr-77', amount: 123_45, note: 'café ☕' };

      expect(await manager.dispatch('transfer.completed', payload)).toBe(1);
      await waitFor(() => receiver.requests.length === 1, { what: 'the webhook request' });

      const [request] = receiver.requests;
      const header = request!.headers['x-webhook-signature'] as string;
      expect(verifyWebhookSignature(header, request!.body, hook.secret)).toBe(true);
      expect(verifyWebhookSignature(header, request!.body, 'whsec_wrong')).toBe(false);
      const delivered = JSON.parse(request!.body) as IntegrationEvent;
      expect(delivered).toMatchObject({ type: 'transfer.completed', tenantId: fixture.tenantId, userId: 'user-9', data: payload });
      expect(request!.headers['x-webhook-id']).toBe(delivered.id);
      expect(unrelated.requests).toHaveLength(0);

      const deliveries = await waitFor(
        async () => {
          const found = await manager.listDeliveries(fixture.tenantId, hook.id);
          return found.length === 1 ? found : undefined;
        },
        { what: 'the delivery log' },
      );
      expect(deliveries[0]).toMatchObject({ eventId: delivered.id, attempt: 1, status: 'succeeded', httpStatus: 200, responseSnippet: 'ok' });
      expect(deliveries[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    } finally {
      await manager.close();
    }
  });

  it('queues a batch of events of several tenants with one read of the endpoints, each event to its own tenant’s matching endpoints', async () => {
    const fixture = createTestFixture({ label: 'whbatch' });
    const client = await new MongoClient(fixture.mongoUri, { monitorCommands: true }).connect();
    onTestFinished(() => client.close());
    const reads: string[] = [];
    client.on('commandStarted', (command: CommandStartedEvent) => {
      if (command.command['find'] === 'webhooks') reads.push(command.commandName);
    });
    const { manager } = await createManagerForTest(fixture, { startWorker: false, db: client.db(fixture.dbName('payment')) });
    const queue = new Queue('webhooks-payment-service', { connection: fixture.redis(), prefix: fixture.key('bull') });
    onTestFinished(() => queue.close());
    const other = `${fixture.tenantId}-b`;
    try {
      const a = await manager.register({ tenantId: fixture.tenantId, url: 'https://a.example/hook', events: ['transfer.*'] });
      const b = await manager.register({ tenantId: other, url: 'https://b.example/hook', events: ['deposit.completed'] });
      const disabled = await manager.register({ tenantId: other, url: 'https://c.example/hook', events: ['*'] });
      await manager.update(other, disabled.id, { enabled: false });
      const event = (tenantId: string, type: string): IntegrationEvent => createIntegrationEvent({ type, tenantId, userId: 'u', data: {}, correlationId: null }) as IntegrationEvent;
      const events = [event(fixture.tenantId, 'transfer.completed'), event(other, 'transfer.completed'), event(other, 'deposit.completed'), event(fixture.tenantId, 'deposit.completed')];

      reads.length = 0;
      expect(await manager.dispatchEvents(events)).toBe(2);
      expect(reads).toEqual(['find']);
      const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
      expect(jobs.map((job) => job.id).sort()).toEqual([`${events[0]!.id}-${a.id}`, `${events[2]!.id}-${b.id}`].sort());
    } finally {
      await manager.close();
    }
  });

  it('retries a receiver answering 500 with exponential back-off, then disables the endpoint and emits webhook.disabled', async () => {
    const fixture = createTestFixture({ label: 'whfail' });
    const receiver = await startRecordingReceiver(500);
    const events = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment', withMongo: false });
    const watcher = await createBusForTest(fixture, { serviceName: 'admin-service', database: 'admin', withMongo: false });
    const disabledEvents: IntegrationEvent[] = [];
    watcher.bus.on('webhook.disabled', (event) => void disabledEvents.push(event));
    await watcher.bus.startListening();
    const logLines: string[] = [];
    const { manager } = await createManagerForTest(fixture, {
      retryConfig: { maxAttempts: 5, backoffMs: 100 },
      disableAfterConsecutiveFailures: 4,
      events: events.bus,
      logger: createLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(line) } }),
    });
    try {
      const hook = await manager.register({ tenantId: fixture.tenantId, url: receiver.url, events: ['payout.*'] });
      await manager.dispatch('payout.failed', { tenantId: fixture.tenantId, payoutId: 'po-1' });

      await waitFor(() => disabledEvents.length === 1, { what: 'webhook.disabled', timeoutMs: 20_000 });
      expect(disabledEvents[0]).toMatchObject({
        type: 'webhook.disabled',
        tenantId: fixture.tenantId,
        data: { webhookId: hook.id, url: receiver.url, consecutiveFailures: 4 },
      });
      // four attempts, not the five the retry policy allows: disabling stops the retries
      expect(receiver.requests).toHaveLength(4);
      const gaps = receiver.requests.slice(1).map((request, index) => request.receivedAt - receiver.requests[index]!.receivedAt);
      // Exponential: at least 100, 200, 400 ms (a fixed back-off would fail the later two). Only
      // lower bounds: a delayed job never runs early, but a loaded machine may run any one late.
      expect(gaps[0]).toBeGreaterThanOrEqual(90);
      expect(gaps[1]).toBeGreaterThanOrEqual(190);
      expect(gaps[2]).toBeGreaterThanOrEqual(390);

      const [endpoint] = await manager.list(fixture.tenantId);
      expect(endpoint).toMatchObject({ enabled: false, consecutiveFailures: 4 });
      const deliveries = await manager.listDeliveries(fixture.tenantId, hook.id);
      expect(deliveries.map((d) => [d.attempt, d.status, d.httpStatus])).toEqual([
        [1, 'failed', 500],
        [2, 'failed', 500],
        [3, 'failed', 500],
        [4, 'failed', 500],
      ]);
      expect(deliveries[0]!.error).toBe('receiver answered HTTP 500');
      expect(deliveries[0]!.responseSnippet!.length).toBeLessThanOrEqual(513);

      // every attempt and the disabling were logged, the endpoint's secret never
      const logs = logLines.join('');
      expect(logs).toContain('webhook disabled');
      expect(logs.match(/webhook delivery failed/g)).toHaveLength(4);
      expect(logs).not.toContain(hook.secret);

      // a disabled endpoint gets nothing more
      expect(await manager.dispatch('payout.failed', { tenantId: fixture.tenantId, payoutId: 'po-2' })).toBe(0);
    } finally {
      await manager.close();
    }
  });

  it('the unified emitter publishes the event and sends the webhook under the same id, only after commit', async () => {
    const fixture = createTestFixture({ label: 'unified' });
    const receiver = await startRecordingReceiver(200);
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const consumed: string[] = [];
    consumer.bus.on('transfer.completed', (event) => void consumed.push(event.id));
    await consumer.bus.startListening();
    const { manager } = await createManagerForTest(fixture);
    try {
      await manager.register({ tenantId: fixture.tenantId, url: receiver.url, events: ['transfer.completed'] });
      const emitter = createUnifiedEmitter(manager, producer.bus);

      // the brief's short form: tenant and user come from the data
      const direct = await emitter.emit('transfer.completed', { tenantId: fixture.tenantId, userId: 'u1', transferId: 'direct' });
      expect(direct).toMatchObject({ tenantId: fixture.tenantId, userId: 'u1' });
      await expect(
        withTransaction({
          client: producer.client!,
          fn: async (session) => {
            await emitter.emit('transfer.completed', fixture.tenantId, 'u1', { transferId: 'rolled-back' }, { session });
            throw new Error('abort');
          },
        }),
      ).rejects.toThrow('abort');
      const viaOutbox = await withTransaction({
        client: producer.client!,
        fn: (session) => emitter.emit('transfer.completed', fixture.tenantId, 'u1', { transferId: 'committed' }, { session }),
      });

      await waitFor(() => receiver.requests.length === 2 && consumed.length === 2, { what: 'both events on both channels' });
      const webhookIds = receiver.requests.map((request) => request.headers['x-webhook-id']);
      expect(new Set(webhookIds)).toEqual(new Set([direct.id, viaOutbox.id]));
      expect(new Set(consumed)).toEqual(new Set([direct.id, viaOutbox.id]));
      expect(receiver.requests.map((request) => (JSON.parse(request.body) as IntegrationEvent<{ transferId: string }>).data.transferId).sort()).toEqual(['committed', 'direct']);
    } finally {
      await manager.close();
    }
  });

  it('refuses destinations on private networks by default, at registration and before every attempt', async () => {
    const fixture = createTestFixture({ label: 'ssrf' });
    const receiver = await startRecordingReceiver(200);
    const { manager, db } = await createManagerForTest(fixture, { allowPrivateNetworks: false, retryConfig: { maxAttempts: 1 } });
    try {
      for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/x', 'http://10.1.2.3/x']) {
        await expect(manager.register({ tenantId: fixture.tenantId, url, events: ['*'] })).rejects.toBeInstanceOf(WebhookDestinationError);
      }
      await expect(manager.register({ tenantId: fixture.tenantId, url: 'https://user:pw@example.com/x', events: ['*'] })).rejects.toThrow(/credentials/);
      expect(await manager.register({ tenantId: fixture.tenantId, url: 'https://example.com/hook', events: ['none.such'] })).toMatchObject({ enabled: true });

      // a stored endpoint whose host now points inside (as a re-pointed DNS name would) gets no request
      const now = new Date();
      const inserted = await db.collection('webhooks').insertOne({
        tenantId: fixture.tenantId,
        serviceName: 'payment-service',
        url: receiver.url,
        events: ['refund.*'],
        secret: 'whsec_x',
        enabled: true,
        consecutiveFailures: 0,
        createdAt: now,
        updatedAt: now,
      });
      expect(await manager.dispatch('refund.issued', { tenantId: fixture.tenantId })).toBe(1);
      const [attempt] = await waitFor(
        async () => {
          const found = await manager.listDeliveries(fixture.tenantId, inserted.insertedId.toHexString());
          return found.length === 1 ? found : undefined;
        },
        { what: 'the refused attempt' },
      );
      expect(attempt).toMatchObject({ status: 'failed' });
      expect(attempt!.error).toMatch(/WebhookDestinationError: .*private address/);
      expect(receiver.requests).toHaveLength(0);
    } finally {
      await manager.close();
    }
  });

  it('classifies private, loopback and link-local addresses', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '93.184.216.34', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });
});
