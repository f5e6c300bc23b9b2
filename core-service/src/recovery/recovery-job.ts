import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import type { Logger } from 'pino';
import { generateCorrelationId, getLogger, runWithCorrelationId } from '../logger/index.js';
import { operationIndexKey, operationStateCommands, operationStateKey, type OperationStateCommands } from './operation-state-scripts.js';
import { parseOperationState, type RecoveryScheduler } from './operation-state-tracker.js';
import { duplicateForBullMQ } from '../redis/duplicate-connection.js';
import { recoveryAuditCollection, type RecoveryAuditRecord } from './recovery-audit.js';
import {
  defaultRecoveryRegistry,
  type RecoverableOperation,
  type RecoveryHandler,
  type RecoveryRegistry,
  type RecoveryResult,
  type RecoveryTrigger,
  type StuckOperation,
} from './recovery-registry.js';

/** Where recovery events go; an `EventBus` fits. */
export interface RecoveryEventEmitter {
  emit(type: string, tenantId: string, userId: string | null, data: unknown): Promise<unknown>;
}

export interface RecoveryJobOptions {
  /** BullMQ and state connection; the job duplicates it for BullMQ (which needs maxRetriesPerRequest: null). */
  redis: Redis;
  /** Database of the `recovery_audit` collection. */
  db: Db;
  /** Default: the process registry (`registerRecoveryHandler`). */
  registry?: RecoveryRegistry;
  /** Prefix of the operation state keys, shared with the trackers that schedule here; default none. */
  keyPrefix?: string;
  /**
   * Services sharing one Redis need one queue each, or one service's worker would take checks
   * of operation types only another service has handlers for. Default `recovery-{serviceName}`.
   */
  serviceName?: string;
  /** Overrides the queue name derived from `serviceName` (default `recovery`). */
  queueName?: string;
  /** BullMQ key prefix; default `bull`. */
  queuePrefix?: string;
  /** Ms between backstop sweeps (a BullMQ job scheduler); default 300,000 (the brief's 5 min); 0 turns the sweep off. */
  interval?: number;
  /** Ms without a heartbeat after which the sweep counts an operation as stuck; default 60,000. */
  maxAge?: number;
  /** Operations the sweep hands to recovery per handler and run; default 1,000 (the brief's maxKeys). */
  sweepLimit?: number;
  /** Seconds a recovered operation's state is kept; default 300. */
  recoveredTtl?: number;
  /** Checks of a failed recovery before the job gives up (the sweep tries again later); default 5. */
  checkAttempts?: number;
  /** Base of the exponential back-off between failed recovery attempts; default 1,000 ms. */
  checkBackoffMs?: number;
  concurrency?: number;
  /** Default true; false for processes that only track operations (their checks run elsewhere). */
  startWorker?: boolean;
  events?: RecoveryEventEmitter;
  logger?: Logger;
}

/** Counters of the work done, for tests and metrics: the recovery cost is visible, not assumed. */
export interface RecoveryStats {
  /** Delayed checks that fired. */
  checksProcessed: number;
  /** Checks that found a fresh heartbeat and were pushed back. */
  checksRescheduled: number;
  /** Checks and sweep hits that found nothing to do (finished, already recovered, expired). */
  skipped: number;
  /** Handler `recover` calls. */
  handlerInvocations: number;
  recovered: number;
  failed: number;
  sweeps: number;
}

export type RecoveryOutcome =
  | { status: 'recovered'; result: RecoveryResult }
  | { status: 'failed'; error: string }
  | { status: 'fresh'; dueAt: number }
  | { status: 'busy'; dueAt: number }
  | { status: 'skipped'; reason: string };

interface CheckJobData {
  type: string;
  id: string;
}

const CHECK = 'check';
const SWEEP = 'sweep';
const SWEEP_SCHEDULER_ID = 'recovery-sweep';

let defaultJob: RecoveryJob | undefined;

/**
 * Crash repair. Each tracked operation has one delayed BullMQ check, added when it starts and
 * removed when it finishes, so the checks that ever fire are those of operations still in
 * progress after `staleAfter`: work grows with stuck operations, not with all of them. A fired
 * check whose heartbeat is fresh moves itself back to the delayed set; a stale one is claimed
 * atomically and handed to the type's handler. A periodic sweep (a BullMQ job scheduler) asks
 * every handler for stuck operations, catching those whose check was lost.
 *
 * BullMQ rather than a hand-made sorted set (the brief's first option): delayed jobs, retries
 * with back-off, locks that move a crashed worker's job back, and repeatable jobs are exactly
 * what is needed, and the platform already runs it for webhooks.
 */
export class RecoveryJob extends EventEmitter implements RecoveryScheduler {
  readonly keyPrefix: string;
  readonly stats: RecoveryStats = {
    checksProcessed: 0,
    checksRescheduled: 0,
    skipped: 0,
    handlerInvocations: 0,
    recovered: 0,
    failed: 0,
    sweeps: 0,
  };
  readonly #options: RecoveryJobOptions;
  readonly #redis: Redis & OperationStateCommands;
  readonly #registry: RecoveryRegistry;
  readonly #queue: Queue<CheckJobData>;
  readonly #maxAge: number;
  #worker: Worker<CheckJobData> | undefined;

  constructor(options: RecoveryJobOptions) {
    super();
    this.#options = options;
    this.keyPrefix = options.keyPrefix ?? '';
    this.#redis = operationStateCommands(options.redis);
    this.#registry = options.registry ?? defaultRecoveryRegistry;
    this.#maxAge = options.maxAge ?? 60_000;
    const queueName = options.queueName ?? (options.serviceName !== undefined ? `recovery-${options.serviceName}` : 'recovery');
    this.#queue = new Queue<CheckJobData>(queueName, {
      connection: duplicateForBullMQ(options.redis, 'queue'),
      prefix: options.queuePrefix ?? 'bull',
    });
    this.#queue.on('error', (error) => this.#logger.error({ err: error }, 'recovery queue error'));
  }

  get #logger(): Logger {
    return this.#options.logger ?? getLogger(this.#options.serviceName ?? 'recovery');
  }

  get queue(): Queue<CheckJobData> {
    return this.#queue;
  }

  /** Starts the worker (unless `startWorker: false`) and the backstop sweep; the first started job serves `recoverOperation`. */
  async start(): Promise<void> {
    if (this.#options.startWorker !== false && this.#worker === undefined) {
      this.#worker = new Worker<CheckJobData>(this.#queue.name, (job, token) => this.#process(job, token), {
        connection: duplicateForBullMQ(this.#options.redis, 'worker'),
        prefix: this.#options.queuePrefix ?? 'bull',
        concurrency: this.#options.concurrency ?? 10,
      });
      this.#worker.on('error', (error) => this.#logger.error({ err: error }, 'recovery worker error'));
      await this.#worker.waitUntilReady();
      const interval = this.#options.interval ?? 300_000;
      if (interval > 0) {
        await this.#queue.upsertJobScheduler(SWEEP_SCHEDULER_ID, { every: interval }, { name: SWEEP, opts: { removeOnComplete: true, removeOnFail: 100 } });
      }
    }
    // oxlint-disable-next-line typescript/no-this-alias -- the first job started is the process default (getRecoveryJob)
    defaultJob ??= this;
  }

  async stop(): Promise<void> {
    if (defaultJob === this) defaultJob = undefined;
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.close();
    await this.#queue.close();
  }

  /** Schedules the check of one operation; a check already scheduled for it is kept (BullMQ dedupes by job id). */
  async scheduleCheck(type: string, id: string, runAt: number): Promise<void> {
    await this.#queue.add(
      CHECK,
      { type, id },
      {
        jobId: checkJobId(type, id),
        delay: Math.max(0, runAt - Date.now()),
        attempts: this.#options.checkAttempts ?? 5,
        backoff: { type: 'exponential', delay: this.#options.checkBackoffMs ?? 1_000 },
        // Completed checks are dropped so a later operation with the same id can schedule again.
        removeOnComplete: true,
        removeOnFail: 1_000,
      },
    );
  }

  /** Removes the pending check; a check already running finds the operation finished and does nothing. */
  async cancelCheck(type: string, id: string): Promise<void> {
    try {
      await this.#queue.remove(checkJobId(type, id));
    } catch (error) {
      // A locked (running) check cannot be removed; it reads the finished state and skips.
      this.#logger.debug({ err: error, type, id }, 'recovery check not removed');
    }
  }

  /**
   * Recovers one operation now if it is stuck: claimed atomically only while in progress with a
   * stale heartbeat, never once completed, failed, or recovered. Operations the tracker does
   * not know (a handler's `findStuck` found them in its own data) are recovered under a
   * short lock, relying on the handler's idempotence.
   */
  async recoverOperation(type: string, id: string, trigger: RecoveryTrigger = 'manual', found?: StuckOperation): Promise<RecoveryOutcome> {
    const handler = this.#registry.get(type);
    if (handler === undefined) return this.#skip(`no recovery handler for '${type}'`);
    const stateKey = operationStateKey(this.keyPrefix, type, id);
    const token = randomUUID();
    const [verdict, ...rest] = await this.#redis.operationStateClaim(stateKey, token);

    // Fresh: the owner is alive. Busy: another recovery attempt holds the claim. Both: look again at dueAt.
    if (verdict === 'fresh' || verdict === 'busy') return { status: verdict, dueAt: Number(rest[0]) };
    if (verdict === 'missing') {
      if (trigger === 'check' || found === undefined) return this.#skip('no tracked state (finished and expired, or never tracked)');
      return this.#recoverUntracked(handler, type, id, trigger, found);
    }
    // Recovered once already, yet the handler's own source of truth says stuck again (the
    // resumed work crashed too): act again under the lock. Completed and failed stay untouchable.
    if (verdict === 'recovered' && trigger === 'sweep' && found !== undefined) return this.#recoverUntracked(handler, type, id, trigger, found);
    if (verdict !== 'claimed') return this.#skip(`operation is ${verdict}`);

    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < rest.length; i += 2) fields[rest[i]!] = rest[i + 1]!;
    const state = parseOperationState(fields)!;
    const operation: RecoverableOperation = {
      type,
      id,
      meta: { ...state.meta, ...found?.meta },
      startedAt: state.startedAt,
      lastHeartbeat: state.lastHeartbeat,
      attempt: state.recoveryAttempts,
      trigger,
      correlationId: state.correlationId ?? generateCorrelationId(),
    };
    const outcome = await this.#invoke(handler, operation);
    const released = await this.#redis.operationStateRelease(
      stateKey,
      operationIndexKey(this.keyPrefix, type),
      id,
      token,
      outcome.status === 'recovered' ? 'recovered' : 'in_progress',
      this.#options.recoveredTtl ?? 300,
    );
    if (released === 0) this.#logger.warn({ type, id }, 'recovery claim expired before the handler returned');
    return outcome;
  }

  async #recoverUntracked(handler: RecoveryHandler, type: string, id: string, trigger: RecoveryTrigger, found: StuckOperation): Promise<RecoveryOutcome> {
    const lock = `${operationStateKey(this.keyPrefix, type, id)}:recovery_lock`;
    const locked = await this.#options.redis.set(lock, '1', 'PX', this.#maxAge, 'NX');
    if (locked === null) return this.#skip('another recovery attempt holds the lock');
    try {
      return await this.#invoke(handler, {
        type,
        id,
        meta: found.meta ?? {},
        startedAt: null,
        lastHeartbeat: null,
        attempt: 1,
        trigger,
        correlationId: generateCorrelationId(),
      });
    } finally {
      await this.#options.redis.del(lock);
    }
  }

  /** Calls the handler under the operation's correlation id and audits the attempt, whatever its result. */
  async #invoke(handler: RecoveryHandler, operation: RecoverableOperation): Promise<RecoveryOutcome> {
    return runWithCorrelationId(operation.correlationId, async () => {
      this.stats.handlerInvocations += 1;
      let result: RecoveryResult;
      try {
        result = (await handler.recover(operation)) ?? { success: true };
      } catch (error) {
        result = { success: false, error: error instanceof Error ? error.message : String(error) };
      }
      // `action: 'none'`: the handler found nothing to repair (its own data says finished). Audited as such, no event.
      const isNoop = result.success && result.action === 'none';
      const tenantId = typeof operation.meta['tenantId'] === 'string' ? operation.meta['tenantId'] : null;
      const record: RecoveryAuditRecord = {
        operationType: operation.type,
        operationId: operation.id,
        action: result.action ?? 'recover',
        result: isNoop ? 'nothing_to_do' : result.success ? 'recovered' : 'failed',
        trigger: operation.trigger,
        attempt: operation.attempt,
        correlationId: operation.correlationId,
        tenantId,
        ...(result.error !== undefined ? { error: result.error } : {}),
        ...(result.details !== undefined ? { details: result.details } : {}),
        timestamp: new Date(),
      };
      await recoveryAuditCollection(this.#options.db).insertOne(record);
      const eventType = result.success ? 'recovery.operation_recovered' : 'recovery.operation_failed';
      const data = { operationType: operation.type, operationId: operation.id, action: record.action, trigger: operation.trigger, attempt: operation.attempt, error: result.error };
      if (!isNoop) {
        await this.#options.events?.emit(eventType, tenantId ?? 'system', null, data).catch((error: unknown) => this.#logger.error({ err: error, eventType }, 'recovery event not emitted'));
      }
      if (result.success) {
        this.stats.recovered += 1;
        this.#logger.info({ type: operation.type, id: operation.id, action: record.action }, 'operation recovered');
        this.emit('recovered', operation, result);
        return { status: 'recovered', result };
      }
      this.stats.failed += 1;
      this.#logger.warn({ type: operation.type, id: operation.id, error: result.error }, 'operation recovery failed');
      this.emit('failed', operation, result);
      return { status: 'failed', error: result.error ?? 'recovery handler reported failure' };
    });
  }

  #skip(reason: string): RecoveryOutcome {
    this.stats.skipped += 1;
    return { status: 'skipped', reason };
  }

  /**
   * The backstop: every handler's stuck operations (its `findStuck`, else the tracker index of
   * in-progress operations whose heartbeat is older than `maxAge`), each recovered through the
   * same atomic claim as a check. Returns how many were recovered.
   */
  async sweep(maxAge = this.#maxAge): Promise<number> {
    this.stats.sweeps += 1;
    let recovered = 0;
    for (const type of this.#registry.types()) {
      const handler = this.#registry.get(type)!;
      const found = handler.findStuck !== undefined ? await handler.findStuck(maxAge) : await this.#findStaleTracked(type, maxAge);
      const isTracked = handler.findStuck === undefined;
      for (const entry of found.slice(0, this.#options.sweepLimit ?? 1_000)) {
        const stuck = typeof entry === 'string' ? { id: entry } : entry;
        const outcome = await this.recoverOperation(type, stuck.id, 'sweep', isTracked ? undefined : stuck);
        if (outcome.status === 'recovered' && outcome.result.action !== 'none') recovered += 1;
        if (isTracked && outcome.status === 'skipped') {
          // The state expired without finishing: nothing left to claim, drop it from the index.
          await this.#options.redis.zrem(operationIndexKey(this.keyPrefix, type), stuck.id);
        }
      }
    }
    return recovered;
  }

  async #findStaleTracked(type: string, maxAge: number): Promise<string[]> {
    const [seconds, micros] = await this.#options.redis.time();
    const now = Number(seconds) * 1_000 + Math.floor(Number(micros) / 1_000);
    return this.#options.redis.zrangebyscore(operationIndexKey(this.keyPrefix, type), '-inf', now - maxAge, 'LIMIT', 0, this.#options.sweepLimit ?? 1_000);
  }

  async #process(job: Job<CheckJobData>, token: string | undefined): Promise<void> {
    if (job.name === SWEEP) {
      await this.sweep();
      return;
    }
    this.stats.checksProcessed += 1;
    const outcome = await this.recoverOperation(job.data.type, job.data.id, 'check');
    if (outcome.status === 'fresh' || outcome.status === 'busy') {
      // Still alive (or being recovered elsewhere): the same job goes back to the delayed set for when it could next be stale.
      this.stats.checksRescheduled += 1;
      await job.moveToDelayed(outcome.dueAt, token);
      throw new DelayedError();
    }
    // BullMQ retries the check with back-off; the claim was handed back as stale, so it is taken again.
    if (outcome.status === 'failed') throw new Error(outcome.error);
  }
}

/**
 * `${type}|${id}`, URI-encoded parts, rather than the `${type}:${id}` one would write: BullMQ
 * rejects custom job ids containing ':' (it reserves them for its own repeat keys). One check
 * per operation all the same: adding an id that exists is a no-op.
 */
export function checkJobId(type: string, id: string): string {
  return `${encodeURIComponent(type)}|${encodeURIComponent(id)}`;
}

/** The brief's `recoverOperation(type, id)`, on the first started `RecoveryJob` of the process. */
export function recoverOperation(type: string, id: string): Promise<RecoveryOutcome> {
  if (defaultJob === undefined) throw new Error('no RecoveryJob is running: create one and call start() first');
  return defaultJob.recoverOperation(type, id, 'manual');
}
