import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { duplicateForBullMQ, getLogger } from 'core-service';
import type { UserBonus } from '../domain/user-bonus.js';
import type { BonusDeps, ExpiryScheduling } from '../awards/bonus-deps.js';
import { announceExpiring, expireBonus } from '../awards/expire-bonus.js';

const QUEUE = 'bonus-expiry';
const SWEEP_SCHEDULER_ID = 'bonus-expiry-sweep';

type ExpiryJob = { name: 'expire' | 'expiring'; data: { tenantId: string; bonusId: string } } | { name: 'sweep'; data: Record<string, never> };

export interface ExpirySchedulerOptions {
  redis: Redis;
  queuePrefix: string;
  /** Ms between backstop sweeps; default 5 min; 0 for none (tests call `sweep`). */
  sweepEveryMs?: number;
  /** Awards handled per sweep run. */
  sweepBatch?: number;
  /** BullMQ lock and stall check (ms): how soon a job of a killed worker runs again; defaults 30 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * Each award schedules its own expiry and its expiring-soon notice as BullMQ delayed jobs (job
 * ids derive from the award, so scheduling twice adds nothing), the way recovery schedules its
 * checks: the work grows with awards that come due, not with all awards. A periodic sweep is the
 * backstop for a job lost between commit and scheduling or to a Redis failure. A worker killed
 * mid-job leaves it stalled; BullMQ runs it again, and the steps are idempotent.
 */
export class ExpiryScheduler implements ExpiryScheduling {
  readonly #options: ExpirySchedulerOptions;
  readonly #connections: Redis[] = [];
  #deps: BonusDeps | undefined;
  #queue: Queue | undefined;
  #worker: Worker | undefined;

  constructor(options: ExpirySchedulerOptions) {
    this.#options = options;
  }

  /** The deps are bound late: they hold this scheduler too. */
  bind(deps: BonusDeps): void {
    this.#deps = deps;
  }

  #connection(role: 'queue' | 'worker'): Redis {
    const duplicate = duplicateForBullMQ(this.#options.redis, role);
    this.#connections.push(duplicate);
    return duplicate;
  }

  get queue(): Queue {
    this.#queue ??= new Queue(QUEUE, { connection: this.#connection('queue'), prefix: this.#options.queuePrefix });
    return this.#queue;
  }

  async start(options: { worker?: boolean } = {}): Promise<void> {
    const everyMs = this.#options.sweepEveryMs ?? 300_000;
    if (everyMs > 0) await this.queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: everyMs }, { name: 'sweep', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    if (options.worker === false) return;
    this.#worker = new Worker(QUEUE, (job: Job) => this.#process(job as unknown as ExpiryJob), {
      connection: this.#connection('worker'),
      prefix: this.#options.queuePrefix,
      concurrency: 4,
      ...(this.#options.lockDurationMs !== undefined ? { lockDuration: this.#options.lockDurationMs } : {}),
      ...(this.#options.stalledIntervalMs !== undefined ? { stalledInterval: this.#options.stalledIntervalMs } : {}),
    });
    this.#worker.on('error', (error) => getLogger().error({ err: error }, 'bonus expiry worker error'));
    await this.#worker.waitUntilReady();
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
    await Promise.allSettled(this.#connections.splice(0).map((c) => c.quit()));
  }

  async schedule(bonus: Pick<UserBonus, 'id' | 'tenantId' | 'expiresAt' | 'expiringNoticeAt'>): Promise<void> {
    const now = this.#requireDeps().now().getTime();
    const data = { tenantId: bonus.tenantId, bonusId: bonus.id };
    const opts = { removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 1000 } };
    await this.queue.addBulk([
      { name: 'expiring', data, opts: { ...opts, jobId: `expiring-${bonus.id}`, delay: Math.max(0, bonus.expiringNoticeAt.getTime() - now) } },
      { name: 'expire', data, opts: { ...opts, jobId: `expire-${bonus.id}`, delay: Math.max(0, bonus.expiresAt.getTime() - now) } },
    ]);
  }

  /**
   * Expires every active award past its time and announces those due a notice, across tenants.
   * Returns how many it expired.
   */
  async sweep(): Promise<number> {
    const deps = this.#requireDeps();
    const batch = this.#options.sweepBatch ?? 500;
    const now = deps.now();
    const due = await deps.store.bonuses
      .find({ status: 'ACTIVE', expiresAt: { $lte: now } }, { projection: { _id: 1, tenantId: 1 } })
      .limit(batch)
      .toArray();
    let expired = 0;
    for (const bonus of due) {
      const { resolved } = await expireBonus(deps, { tenantId: bonus.tenantId, bonusId: bonus._id });
      if (resolved) expired += 1;
    }
    const notices = await deps.store.bonuses
      .find({ status: 'ACTIVE', expiringNotified: false, expiringNoticeAt: { $lte: now } }, { projection: { _id: 1, tenantId: 1 } })
      .limit(batch)
      .toArray();
    for (const bonus of notices) await announceExpiring(deps, { tenantId: bonus.tenantId, bonusId: bonus._id });
    return expired;
  }

  async #process(job: ExpiryJob): Promise<void> {
    const deps = this.#requireDeps();
    if (job.name === 'sweep') {
      await this.sweep();
      return;
    }
    if (job.name === 'expire') await expireBonus(deps, job.data);
    else await announceExpiring(deps, job.data);
  }

  #requireDeps(): BonusDeps {
    if (this.#deps === undefined) throw new Error('ExpiryScheduler used before bind()');
    return this.#deps;
  }
}
