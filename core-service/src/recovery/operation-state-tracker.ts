import type { Redis } from 'ioredis';
import { getCorrelationId } from '../logger/index.js';
import { noteRedisDegradation, withRedisFallback } from '../redis/redis-fallback.js';
import { operationIndexKey, operationStateCommands, operationStateKey, type OperationStateCommands } from './operation-state-scripts.js';

export type OperationStatus = 'in_progress' | 'completed' | 'failed' | 'recovering' | 'recovered';

export interface OperationState {
  type: string;
  id: string;
  status: OperationStatus;
  meta: Record<string, unknown>;
  startedAt: Date;
  lastHeartbeat: Date;
  updatedAt: Date;
  /** How long without a heartbeat makes the operation stale, ms. */
  staleAfter: number;
  correlationId: string | null;
  reason?: string;
  recoveryAttempts: number;
}

/**
 * Where a tracker schedules and cancels the recovery check of each operation; `RecoveryJob`
 * implements it. A structural type so the tracker does not import the job (the job reads
 * tracker state: the dependency goes one way).
 */
export interface RecoveryScheduler {
  readonly keyPrefix: string;
  scheduleCheck(type: string, id: string, runAt: number): Promise<void>;
  cancelCheck(type: string, id: string): Promise<void>;
}

export interface OperationStateTrackerOptions {
  redis: Redis;
  /** Seconds an in-progress state lives without a heartbeat (each heartbeat renews it); default 3,600. */
  ttl?: number;
  /** Seconds a finished (completed / failed / recovered) state is kept; default 300. */
  completedTtl?: number;
  /** Ms between the heartbeats `track` sends; default 10,000. */
  heartbeatInterval?: number;
  /** Ms without a heartbeat after which the operation counts as stuck; default 60,000 (the brief's 60 s). */
  staleAfter?: number;
  /**
   * The recovery job that checks each operation once it could have gone stale. Without it,
   * only the periodic sweep finds stuck operations.
   */
  recovery?: RecoveryScheduler;
  /** Prefix of the state keys; default the recovery job's, else none. Must match the job's. */
  keyPrefix?: string;
}

/**
 * Crash-repair bookkeeping for one kind of operation (`transfer`, `saga`, ...), in Redis with
 * TTLs. Starting an operation schedules its own recovery check (event-driven: recovery work
 * grows with stuck operations, not with all operations); finishing it cancels the check.
 */
export class OperationStateTracker {
  readonly type: string;
  readonly staleAfter: number;
  readonly heartbeatInterval: number;
  readonly #redis: Redis & OperationStateCommands;
  readonly #ttl: number;
  readonly #completedTtl: number;
  readonly #recovery: RecoveryScheduler | undefined;
  readonly #prefix: string;

  constructor(type: string, options: OperationStateTrackerOptions) {
    if (type.length === 0) throw new TypeError('an operation type is required');
    this.type = type;
    this.#redis = operationStateCommands(options.redis);
    this.#ttl = options.ttl ?? 3_600;
    this.#completedTtl = options.completedTtl ?? 300;
    this.staleAfter = options.staleAfter ?? 60_000;
    this.heartbeatInterval = options.heartbeatInterval ?? Math.min(10_000, Math.floor(this.staleAfter / 3));
    this.#recovery = options.recovery;
    this.#prefix = options.keyPrefix ?? options.recovery?.keyPrefix ?? '';
    if (this.heartbeatInterval <= 0 || this.heartbeatInterval >= this.staleAfter) {
      throw new RangeError(`heartbeatInterval (${this.heartbeatInterval} ms) must be positive and below staleAfter (${this.staleAfter} ms)`);
    }
    // A state that expires before it can go stale would be invisible to recovery.
    if (this.#ttl * 1_000 <= this.staleAfter) {
      throw new RangeError(`ttl (${this.#ttl} s) must outlast staleAfter (${this.staleAfter} ms)`);
    }
  }

  #key(id: string): string {
    return operationStateKey(this.#prefix, this.type, id);
  }

  #index(): string {
    return operationIndexKey(this.#prefix, this.type);
  }

  /**
   * Marks the operation started and schedules its recovery check at now + staleAfter. State
   * first, check second: a crash in between leaves a tracked operation without a check, which
   * the sweep finds; the reverse order could leave a check for an operation nobody recorded.
   */
  async setInProgress(id: string, meta: Record<string, unknown> = {}): Promise<void> {
    const startedAt = await this.#redis.operationStateStart(this.#key(id), this.#index(), this.type, id, JSON.stringify(meta), this.#ttl, this.staleAfter, getCorrelationId() ?? '');
    if (startedAt < 0) throw new Error(`${this.type} ${id} is being recovered and cannot be restarted`);
    await this.#recovery?.scheduleCheck(this.type, id, startedAt + this.staleAfter);
  }

  /** Renews the heartbeat; false when the operation is no longer in progress (finished, or claimed by recovery). */
  async heartbeat(id: string): Promise<boolean> {
    return (await this.#redis.operationStateHeartbeat(this.#key(id), this.#index(), id, this.#ttl)) > 0;
  }

  /** False when recovery had already claimed the operation: its owner was presumed dead, and recovery's outcome stands. */
  setCompleted(id: string): Promise<boolean> {
    return this.#finish(id, 'completed', '');
  }

  setFailed(id: string, reason: string): Promise<boolean> {
    return this.#finish(id, 'failed', reason);
  }

  async #finish(id: string, status: 'completed' | 'failed', reason: string): Promise<boolean> {
    const marked = (await this.#redis.operationStateFinish(this.#key(id), this.#index(), id, status, reason, this.#completedTtl)) > 0;
    if (marked) await this.#recovery?.cancelCheck(this.type, id);
    return marked;
  }

  async get(id: string): Promise<OperationState | null> {
    return parseOperationState(await this.#redis.hgetall(this.#key(id)));
  }

  /** Sends a heartbeat every `heartbeatInterval` until the returned function is called. */
  startHeartbeat(id: string): () => void {
    const timer = setInterval(() => void this.heartbeat(id).catch(() => undefined), this.heartbeatInterval);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Runs `fn` as a tracked operation: in progress with heartbeats while it runs, completed when
   * it resolves, failed (with the error's message) when it throws.
   *
   * The bookkeeping never decides the operation's fate: while Redis is down `fn` runs untracked
   * (not even tried when the client is not ready, so nothing waits on Redis), and a failure to
   * record the outcome is logged, not thrown, because `fn`'s own outcome (a MongoDB commit)
   * already stands. An operation left marked in progress is found by recovery, which reads the
   * source of truth before acting.
   */
  async track<T>(id: string, meta: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    const what = `${this.type} crash tracking`;
    const isTracked = await withRedisFallback(
      this.#redis,
      what,
      async () => {
        await this.setInProgress(id, meta);
        return true;
      },
      () => false,
    );
    if (!isTracked) return fn();
    const stop = this.startHeartbeat(id);
    const record = async (finish: () => Promise<boolean>): Promise<void> => {
      try {
        await finish();
      } catch (error) {
        noteRedisDegradation(what, error instanceof Error ? error.message : String(error));
      }
    };
    try {
      const result = await fn();
      stop();
      await record(() => this.setCompleted(id));
      return result;
    } catch (error) {
      stop();
      await record(() => this.setFailed(id, error instanceof Error ? error.message : String(error)));
      throw error;
    }
  }
}

/** The hash as an `OperationState`; null when the key does not exist (never tracked, or expired). */
export function parseOperationState(hash: Record<string, string>): OperationState | null {
  if (hash['status'] === undefined) return null;
  const time = (field: string): Date => new Date(Number(hash[field] ?? 0));
  return {
    type: hash['type'] ?? '',
    id: hash['id'] ?? '',
    status: hash['status'] as OperationStatus,
    meta: hash['meta'] ? (JSON.parse(hash['meta']) as Record<string, unknown>) : {},
    startedAt: time('startedAt'),
    lastHeartbeat: time('lastHeartbeat'),
    updatedAt: time('updatedAt'),
    staleAfter: Number(hash['staleAfter'] ?? 0),
    correlationId: hash['correlationId'] || null,
    ...(hash['reason'] !== undefined ? { reason: hash['reason'] } : {}),
    recoveryAttempts: Number(hash['recoveryAttempts'] ?? 0),
  };
}
