import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { CircuitBreaker, duplicateForBullMQ, getLogger, openOtpCode, runInSpan, SpanKind, spendSlidingWindow, traceCarrierOf, type SealedOtpCode } from 'core-service';
import type { NotificationDeps } from '../deps.js';
import { isNotificationType } from '../domain/catalog.js';
import { PROVIDER_CHANNELS, type ProviderChannelName } from '../domain/channels.js';
import { ProviderError, type NotificationProvider } from '../providers/provider.js';
import type { ChannelSettings } from '../settings.js';
import type { DeliveryDocument } from '../store/documents.js';
import { QUEUE_NAMES, type DeliveryJobData } from './dispatcher.js';
import { retryDelayMs } from './retry-policy.js';
import { renderForDelivery } from './templates.js';

export type ProviderChains = Record<ProviderChannelName, readonly NotificationProvider[]>;

export interface ChannelWorkersOptions {
  deps: NotificationDeps;
  /** Per channel, the primary provider first, then fallbacks. */
  providers: ProviderChains;
  /** Opens sealed OTP codes; null when this deployment delivers none. */
  otpDeliveryKey: Buffer | null;
  /** BullMQ lock and stall check: how soon a job of a killed worker runs again (ms). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

interface GuardedProvider {
  provider: NotificationProvider;
  breaker: CircuitBreaker;
}

const log = () => getLogger('notification-service');

/**
 * One BullMQ worker per provider channel. A job is a delivery id; the delivery document says
 * what to send. Per job: skip unless still QUEUED (a redelivered job, a crash after sending),
 * spend the user's hourly allowance (non-critical only), find the address, render, pick the
 * first provider whose breaker is closed, send, record. Failures the provider calls permanent
 * fail the delivery at once; others retry with the channel's back-off until its attempts are
 * spent. While every provider of the channel is open, jobs are delayed without spending an
 * attempt: an outage costs time, not messages.
 *
 * A worker killed mid-send leaves its job locked; BullMQ's stall check gives it to another
 * worker, which sends again (at least once) into the same delivery record.
 */
export class ChannelWorkers {
  readonly #options: ChannelWorkersOptions;
  readonly #chains: Record<ProviderChannelName, GuardedProvider[]>;
  readonly #workers: Worker[] = [];
  readonly #connections: Redis[] = [];

  constructor(options: ChannelWorkersOptions) {
    this.#options = options;
    const { breaker } = options.deps.settings;
    const guard = (provider: NotificationProvider): GuardedProvider => ({
      provider,
      breaker: new CircuitBreaker({
        name: provider.name,
        failureThreshold: breaker.failureThreshold,
        monitoringWindow: breaker.windowMs,
        resetTimeout: breaker.resetTimeoutMs,
      }),
    });
    this.#chains = { EMAIL: options.providers.EMAIL.map(guard), SMS: options.providers.SMS.map(guard) };
    for (const chain of Object.values(this.#chains)) {
      for (const { breaker: circuit, provider } of chain) {
        circuit.on('state-change', (from: string, to: string) => log().warn({ provider: provider.name, from, to }, 'provider circuit changed state'));
      }
    }
  }

  /** Breaker states by provider name (health, metrics, tests). */
  breakerStates(): Record<string, string> {
    const states: Record<string, string> = {};
    for (const chain of Object.values(this.#chains)) for (const { provider, breaker } of chain) states[provider.name] = breaker.state;
    return states;
  }

  async start(): Promise<void> {
    const { deps } = this.#options;
    for (const channel of PROVIDER_CHANNELS) {
      if (this.#chains[channel].length === 0) continue;
      const settings = channelSettings(deps, channel);
      const connection = duplicateForBullMQ(deps.redis, 'worker');
      this.#connections.push(connection);
      const worker = new Worker<DeliveryJobData>(QUEUE_NAMES[channel], (job, token) => this.#process(channel, job, token), {
        connection,
        prefix: `${deps.keyPrefix}:bull`,
        concurrency: settings.concurrency,
        maxStalledCount: 5,
        settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(settings.retry, attemptsMade) },
        ...(this.#options.lockDurationMs !== undefined ? { lockDuration: this.#options.lockDurationMs } : {}),
        ...(this.#options.stalledIntervalMs !== undefined ? { stalledInterval: this.#options.stalledIntervalMs } : {}),
      });
      worker.on('error', (error) => log().error({ err: error, channel }, 'delivery worker error'));
      this.#workers.push(worker);
      await worker.waitUntilReady();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((worker) => worker.close()));
    await Promise.allSettled(this.#connections.splice(0).map((connection) => connection.quit()));
    for (const chain of Object.values(this.#chains)) for (const { provider } of chain) await provider.close();
  }

  async #process(channel: ProviderChannelName, job: Job<DeliveryJobData>, token: string | undefined): Promise<void> {
    const { deps } = this.#options;
    const delivery = await deps.store.deliveries.findOne({ _id: job.data.deliveryId });
    if (delivery === null || delivery.status !== 'QUEUED') return;
    // The job crossed two async boundaries (the MongoDB backlog, then the queue): its span
    // continues the trace of the event handler that queued the delivery, recorded on the document.
    await runInSpan(
      `deliver ${channel}`,
      {
        kind: SpanKind.CONSUMER,
        parent: traceCarrierOf(delivery),
        attributes: { 'notification.delivery_id': delivery._id, 'notification.type': delivery.type, 'notification.attempt': delivery.attempts + 1 },
      },
      () => this.#deliver(channel, delivery, job, token),
    );
  }

  async #deliver(channel: ProviderChannelName, delivery: DeliveryDocument, job: Job<DeliveryJobData>, token: string | undefined): Promise<void> {
    const { deps } = this.#options;
    const settings = channelSettings(deps, channel);

    if (delivery.attempts === 0 && !delivery.critical && !delivery.test && !(await this.#withinAllowance(delivery, settings))) {
      await this.#finish(delivery, { status: 'SUPPRESSED', lastError: `over ${settings.perUserPerHour} ${channel} messages per hour for this user` });
      return;
    }

    const to = delivery.to ?? (await this.#address(delivery, channel));
    if (to === null) {
      // The read model may not know the user yet (its events on another partition): try again
      // a few times, then record that there is nowhere to send.
      if (delivery.attempts + 1 >= deps.settings.addressLookupAttempts) {
        await this.#finish(delivery, { status: 'SUPPRESSED', lastError: `the user has no ${channel === 'EMAIL' ? 'email address' : 'phone number'}` });
        return;
      }
      await this.#recordFailure(delivery, 'no address yet');
      throw new Error('no address for the user yet');
    }

    let message;
    try {
      message = await this.#render(delivery, channel, to);
    } catch (error) {
      await this.#finish(delivery, { status: 'FAILED', attempts: delivery.attempts + 1, lastError: `render: ${error instanceof Error ? error.message : String(error)}` });
      throw new UnrecoverableError('the delivery cannot be rendered');
    }

    const guarded = this.#chains[channel].find(({ breaker }) => breaker.isCallPermitted());
    if (guarded === undefined) {
      const waitMs = Math.round(deps.settings.breaker.resetTimeoutMs * (0.5 + Math.random()));
      await job.moveToDelayed(Date.now() + waitMs, token);
      throw new DelayedError();
    }
    const { provider, breaker } = guarded;
    try {
      const result = await runInSpan(`${provider.name} send`, { kind: SpanKind.CLIENT, attributes: { 'notification.provider': provider.name, 'notification.channel': channel } }, () =>
        provider.send(message),
      );
      breaker.recordSuccess();
      const now = deps.now();
      deps.metrics?.delivery(channel, result.status);
      const sent = { provider: provider.name, providerMessageId: result.providerMessageId, sentAt: now, lastError: null, sealed: null };
      const { matchedCount } = await deps.store.deliveries.updateOne(
        { _id: delivery._id, status: 'QUEUED' },
        { $set: { ...sent, status: result.status, ...(result.status === 'DELIVERED' ? { deliveredAt: now } : {}) }, $inc: { attempts: 1 } },
      );
      // The provider's receipt can arrive before this update (Twilio orders nothing between its
      // answer and its status callback) and has then moved the status on. The send is recorded
      // all the same, and an OTP's sealed code is dropped: it must not outlive the send.
      if (matchedCount === 0) {
        await deps.store.deliveries.updateOne({ _id: delivery._id, status: { $ne: 'QUEUED' }, sentAt: null }, { $set: sent, $inc: { attempts: 1 } });
      }
    } catch (error) {
      const retryable = !(error instanceof ProviderError) || error.retryable;
      // A refused recipient is the message's fault, not the provider's: it does not trip the breaker.
      if (retryable) breaker.recordFailure(error);
      else breaker.recordSuccess();
      const reason = `${provider.name}: ${error instanceof Error ? error.message : String(error)}`;
      if (!retryable || delivery.attempts + 1 >= settings.retry.attempts) {
        await this.#finish(delivery, { status: 'FAILED', attempts: delivery.attempts + 1, lastError: reason, provider: provider.name });
        throw new UnrecoverableError(reason);
      }
      await this.#recordFailure(delivery, reason, provider.name);
      throw error;
    }
  }

  async #withinAllowance(delivery: DeliveryDocument, settings: ChannelSettings): Promise<boolean> {
    const { deps } = this.#options;
    const key = `${deps.keyPrefix}:allowance:${delivery.channel}:${delivery.tenantId}:${delivery.userId}`;
    const result = await spendSlidingWindow(deps.redis, { key, windowMs: 3_600_000, limit: settings.perUserPerHour, spend: 1 });
    return result.allowed;
  }

  async #address(delivery: DeliveryDocument, channel: ProviderChannelName): Promise<string | null> {
    const { store } = this.#options.deps;
    const preferences = await store.preferencesOf(delivery.userId);
    const own = channel === 'EMAIL' ? preferences?.email : preferences?.phone;
    if (own) return own;
    const recipient = await store.recipient(delivery.userId);
    return (channel === 'EMAIL' ? recipient?.email : recipient?.phone) ?? null;
  }

  async #render(delivery: DeliveryDocument, channel: ProviderChannelName, to: string) {
    const { deps, otpDeliveryKey } = this.#options;
    if (!isNotificationType(delivery.type)) throw new Error(`unknown notification type ${delivery.type}`);
    const variables: Record<string, unknown> = { ...delivery.variables };
    if (delivery.sealed !== null) {
      if (otpDeliveryKey === null) throw new Error('OTP_DELIVERY_KEY is not configured');
      variables['code'] = openOtpCode(delivery.sealed.sealedCode as SealedOtpCode, otpDeliveryKey, delivery.sealed.otpId);
    }
    const rendered = await renderForDelivery(deps.store, delivery.tenantId, delivery.type, channel, delivery.locale, variables);
    return {
      deliveryId: delivery._id,
      tenantId: delivery.tenantId,
      to,
      text: rendered.text,
      ...(channel === 'EMAIL' ? { subject: rendered.subject, html: rendered.html, headers: { 'X-Notification-Type': delivery.type, 'X-Notification-Id': delivery.notificationId } } : {}),
    };
  }

  async #recordFailure(delivery: DeliveryDocument, reason: string, provider?: string): Promise<void> {
    await this.#options.deps.store.deliveries.updateOne(
      { _id: delivery._id, status: 'QUEUED' },
      { $set: { lastError: reason, ...(provider !== undefined ? { provider } : {}) }, $inc: { attempts: 1 } },
    );
  }

  async #finish(delivery: DeliveryDocument, outcome: Partial<DeliveryDocument>): Promise<void> {
    if (outcome.status !== undefined) this.#options.deps.metrics?.delivery(delivery.channel, outcome.status);
    await this.#options.deps.store.deliveries.updateOne({ _id: delivery._id, status: 'QUEUED' }, { $set: { ...outcome, sealed: null } });
  }
}

function channelSettings(deps: NotificationDeps, channel: ProviderChannelName): ChannelSettings {
  return channel === 'EMAIL' ? deps.settings.email : deps.settings.sms;
}
