import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { duplicateConnection } from '../redis/duplicate-connection.js';

/** One stream entry as handed to the consumer's handler. */
export interface StreamMessage {
  id: string;
  fields: Record<string, string>;
  /** 1 on first delivery; Redis's delivery counter for re-claimed entries (crashes count too). */
  deliveryCount: number;
}

/** Result of handling one entry: acked when ok, retried or dead-lettered otherwise. */
export type HandleOutcome = { ok: true } | { ok: false; error: unknown };

/** Thrown by a handler for a message that can never succeed (unparseable): dead-lettered at once. */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

export interface StreamConsumerOptions {
  /** Connection for non-blocking commands (ack, claim, dead-letter); may be shared. */
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  deadLetterStream: string;
  /** Hash holding the last error of each pending entry, so a dead letter carries it. */
  errorsKey: string;
  batchSize: number;
  blockMs: number;
  /** An entry pending this long is considered abandoned (crash or failed attempt) and re-claimed. */
  claimIdleMs: number;
  claimIntervalMs: number;
  maxAttempts: number;
  /** Where a newly created group starts: `$` (only new entries) or `0` (everything retained). */
  startId: '$' | '0';
  /** Entries older than this are trimmed (MINID) on each claim pass; 0 disables. */
  maxAgeMs: number;
  deadLetterMaxLen: number;
  /** Partition key: entries with the same key are handled one after another, in stream order. */
  partitionOf(message: StreamMessage): string;
  handle(message: StreamMessage): Promise<void>;
  /**
   * Optional: handles one partition's entries together (one transaction for many events).
   * Returns one outcome per entry, in order; entries it cannot take are left to `handle`.
   */
  handleBatch?(messages: readonly StreamMessage[]): Promise<HandleOutcome[]>;
  logger: Logger;
}

export interface DeadLetter {
  /** Id of the entry in the dead-letter stream. */
  id: string;
  originalId: string;
  group: string;
  consumer: string;
  error: string;
  attempts: number;
  failedAt: string;
  fields: Record<string, string>;
}

type RawEntry = [id: string, fields: string[]];

/**
 * A consumer-group reader on one Redis stream: at-least-once, ack after success, re-claim of
 * abandoned entries, dead-lettering after `maxAttempts`.
 *
 * Hand-written on ioredis rather than a queue library: BullMQ and friends are job queues
 * (each job consumed by one worker), while integration events need fan-out to one consumer
 * group per service over a shared, replayable log, which is what Streams are.
 */
export class StreamConsumer {
  #blocking: Redis | undefined;
  #running = false;
  #readLoop: Promise<void> | undefined;
  #claimLoop: Promise<void> | undefined;
  #wakeClaim: (() => void) | undefined;
  readonly #inFlight = new Set<string>();

  constructor(private readonly options: StreamConsumerOptions) {}

  get isRunning(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    await ensureConsumerGroup(this.options.redis, this.options.stream, this.options.group, this.options.startId);
    // XREADGROUP ... BLOCK holds its connection for the whole wait, so it gets its own.
    // Ready before the first command: a connection without an offline queue refuses it until then.
    // Its command timeout covers the BLOCK time: the original's (2 s with connectRedis) would
    // fail every idle read of a longer block and turn an idle stream into an error loop.
    const commandTimeout = this.options.redis.options.commandTimeout;
    this.#blocking = await duplicateConnection(this.options.redis, commandTimeout === undefined ? {} : { commandTimeout: this.options.blockMs + commandTimeout });
    this.#running = true;
    this.#readLoop = this.#runReadLoop();
    this.#claimLoop = this.#runClaimLoop();
  }

  /** Stops reading; waits for handlers already running. Unacked entries stay pending for others. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#wakeClaim?.();
    this.#blocking?.disconnect();
    await Promise.allSettled([this.#readLoop, this.#claimLoop]);
    this.#blocking = undefined;
  }

  async #runReadLoop(): Promise<void> {
    const { stream, group, consumer, batchSize, blockMs, logger } = this.options;
    let failures = 0;
    let lastReadAt = Date.now();
    while (this.#running) {
      let reply: unknown;
      try {
        reply = await this.#blocking!.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'BLOCK', blockMs, 'STREAMS', stream, '>');
        failures = 0;
        lastReadAt = Date.now();
      } catch (error) {
        if (!this.#running) break;
        failures += 1;
        if (error instanceof Error && error.message.includes('NOGROUP')) {
          // The stream or group was deleted under us (Redis restarted empty, FLUSHDB, manual
          // cleanup): recreate it, and resume on our own rather than log this forever.
          const startId = await this.#restartIdAfterLoss(lastReadAt);
          const isRecreated = await ensureConsumerGroup(this.options.redis, stream, group, startId).then(
            () => true,
            () => false,
          );
          if (isRecreated) {
            logger.warn({ stream, group, startId }, 'event stream consumer group was gone; recreated it');
            continue;
          }
        }
        logger.error({ err: error, stream, group }, 'event stream read failed');
        await pause(Math.min(5_000, 100 * 2 ** failures));
        continue;
      }
      const entries = firstStreamEntries(reply);
      if (entries.length > 0) {
        await this.#processBatch(entries.map(([id, fields]) => ({ id, fields: toFieldMap(fields), deliveryCount: 1 })));
      }
    }
  }

  /**
   * Where a group recreated after a loss starts. A stream whose oldest entry is younger than our
   * last good read was itself recreated (Redis came back empty): everything in it was written
   * since, while we had no group, so all of it is read (`0`); with `$` the events published
   * between the restart and our next read would never reach us. A stream that is older lost
   * only the group: the configured start applies, rather than replaying its whole history.
   */
  async #restartIdAfterLoss(lastReadAt: number): Promise<'$' | '0'> {
    try {
      const [first] = (await this.options.redis.xrange(this.options.stream, '-', '+', 'COUNT', 1)) as RawEntry[];
      if (first === undefined || Number(first[0].split('-')[0]) >= lastReadAt - this.options.blockMs) return '0';
    } catch {
      // undecided: the configured start
    }
    return this.options.startId;
  }

  async #runClaimLoop(): Promise<void> {
    while (this.#running) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.claimIntervalMs);
        this.#wakeClaim = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (!this.#running) break;
      try {
        await this.claimAbandoned();
        await this.#trimByAge();
      } catch (error) {
        if (this.#running) this.options.logger.error({ err: error }, 'event stream claim pass failed');
      }
    }
  }

  /**
   * Takes over entries pending longer than `claimIdleMs` (their consumer crashed, or their
   * handler failed and they wait for a retry) and handles them here. XAUTOCLAIM is atomic:
   * two instances never claim the same entry in one pass.
   */
  async claimAbandoned(): Promise<number> {
    const { redis, stream, group, consumer, claimIdleMs, batchSize, maxAttempts } = this.options;
    let cursor = '0-0';
    let claimed = 0;
    do {
      const reply = (await redis.xautoclaim(stream, group, consumer, claimIdleMs, cursor, 'COUNT', batchSize)) as [string, Array<RawEntry | null>, string[]?];
      cursor = reply[0];
      const entries = reply[1].filter((entry): entry is RawEntry => entry !== null);
      if (entries.length === 0) continue;
      claimed += entries.length;
      // XAUTOCLAIM does not return delivery counters; XPENDING on the exact ids does.
      const pipeline = redis.pipeline();
      for (const [id] of entries) pipeline.xpending(stream, group, id, id, 1, consumer);
      const pending = (await pipeline.exec()) ?? [];
      // Filtered right when the XPENDING reply arrives: our own ack of an entry goes over the
      // same connection, so an entry is either still in flight here or already gone from the
      // pending list, never neither. Entries of a slow handler of ours are not rerun or
      // dead-lettered; entries acked (or taken by another instance) since the claim are dropped.
      const messages: StreamMessage[] = [];
      for (const [index, [id, fields]] of entries.entries()) {
        const row = (pending[index]?.[1] as Array<[string, string, number, number]> | undefined)?.[0];
        if (row === undefined || row[1] !== consumer || this.#inFlight.has(id)) continue;
        messages.push({ id, fields: toFieldMap(fields), deliveryCount: row[3] });
      }
      const exhausted = messages.filter((message) => message.deliveryCount > maxAttempts);
      for (const message of exhausted) {
        // Only a consumer that died mid-handler leaves the counter above the limit without a
        // dead letter (a failing handler dead-letters on its last attempt itself).
        const lastError = await redis.hget(this.options.errorsKey, message.id);
        await this.#deadLetter(message, lastError ?? 'handler never finished: its consumer stopped or crashed mid-handling', message.deliveryCount - 1);
      }
      await this.#processBatch(messages.filter((message) => message.deliveryCount <= maxAttempts));
    } while (cursor !== '0-0' && this.#running);
    return claimed;
  }

  async #processBatch(messages: StreamMessage[]): Promise<void> {
    // Entries of one partition (tenant) keep their stream order; partitions run side by side.
    const partitions = new Map<string, StreamMessage[]>();
    const taken: string[] = [];
    for (const message of messages) {
      // A handler running longer than claimIdleMs gets its own entry re-claimed by our claim
      // pass; running it twice at once here would only produce a duplicate to dedupe.
      if (this.#inFlight.has(message.id)) continue;
      this.#inFlight.add(message.id);
      taken.push(message.id);
      const key = this.options.partitionOf(message);
      const list = partitions.get(key);
      if (list === undefined) partitions.set(key, [message]);
      else list.push(message);
    }
    const succeeded: StreamMessage[] = [];
    try {
      await Promise.all(
        [...partitions.values()].map(async (list) => {
          const outcomes = await this.#handlePartition(list);
          for (const [index, message] of list.entries()) {
            if (await this.#settle(message, outcomes[index] ?? { ok: false, error: new Error('no outcome') })) succeeded.push(message);
          }
        }),
      );
    } finally {
      await this.#ack(succeeded);
      for (const id of taken) this.#inFlight.delete(id);
    }
  }

  /**
   * One XACK for the batch (instead of one round trip per entry): the ack still follows every
   * handler's success; a crash before it only means redeliveries, which the records skip. Only
   * a redelivered entry can have a failure on record to forget: on the first delivery the ack
   * is the XACK alone.
   */
  async #ack(messages: StreamMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const { redis, stream, group, errorsKey, logger } = this.options;
    const ids = messages.map((message) => message.id);
    const retried = messages.filter((message) => message.deliveryCount > 1).map((message) => message.id);
    try {
      if (retried.length === 0) await redis.xack(stream, group, ...ids);
      else
        await redis
          .multi()
          .xack(stream, group, ...ids)
          .hdel(errorsKey, ...retried)
          .exec();
    } catch (error) {
      // Not acked: the entries are redelivered later and the processed-event records skip them.
      logger.error({ err: error, count: ids.length }, 'ack failed after successful handlers');
    }
  }

  async #handlePartition(list: StreamMessage[]): Promise<HandleOutcome[]> {
    if (this.options.handleBatch && list.length > 1) {
      try {
        return await this.options.handleBatch(list);
      } catch (error) {
        return list.map(() => ({ ok: false, error }));
      }
    }
    const outcomes: HandleOutcome[] = [];
    for (const message of list) {
      try {
        await this.options.handle(message);
        outcomes.push({ ok: true });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  /**
   * Failure bookkeeping for one entry; true when it is to be acked. A failed entry does not
   * hold up the rest of its partition: it is retried after the claim idle time, out of order.
   */
  async #settle(message: StreamMessage, outcome: HandleOutcome): Promise<boolean> {
    if (outcome.ok) return true;
    const { redis, errorsKey, maxAttempts, logger } = this.options;
    const description = describeError(outcome.error);
    if (outcome.error instanceof PoisonMessageError || message.deliveryCount >= maxAttempts) {
      await this.#deadLetter(message, description, message.deliveryCount).catch((deadLetterError: unknown) =>
        logger.error({ err: deadLetterError, messageId: message.id }, 'dead-lettering failed; the entry stays pending'),
      );
      return false;
    }
    logger.warn({ messageId: message.id, attempt: message.deliveryCount, maxAttempts, error: description }, 'event handler failed; the entry stays pending and is retried after the claim idle time');
    await redis.hset(errorsKey, message.id, description).catch(() => undefined);
    return false;
  }

  async #deadLetter(message: StreamMessage, error: string, attempts: number): Promise<void> {
    const { redis, stream, group, consumer, deadLetterStream, deadLetterMaxLen, errorsKey, logger } = this.options;
    const fields = Object.entries(message.fields).flat();
    // One MULTI: the dead letter exists if and only if the entry left the pending list.
    await redis
      .multi()
      .xadd(
        deadLetterStream,
        'MAXLEN',
        '~',
        deadLetterMaxLen,
        '*',
        ...fields,
        'dl:originalId',
        message.id,
        'dl:group',
        group,
        'dl:consumer',
        consumer,
        'dl:error',
        error,
        'dl:attempts',
        String(attempts),
        'dl:failedAt',
        new Date().toISOString(),
      )
      .xack(stream, group, message.id)
      .hdel(errorsKey, message.id)
      .exec();
    logger.error({ messageId: message.id, attempts, error, deadLetterStream }, 'event dead-lettered');
  }

  async #trimByAge(): Promise<void> {
    if (this.options.maxAgeMs <= 0) return;
    // MINID ~ lets Redis drop whole macro-nodes only, which keeps trimming O(1)-ish.
    await this.options.redis.xtrim(this.options.stream, 'MINID', '~', `${Date.now() - this.options.maxAgeMs}-0`);
  }
}

export async function ensureConsumerGroup(redis: Redis, stream: string, group: string, startId: '$' | '0'): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, startId, 'MKSTREAM');
  } catch (error) {
    if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error;
  }
}

/** Reads dead letters of a stream, oldest first (operations tooling and tests). */
export async function readDeadLetters(redis: Redis, deadLetterStream: string, count = 100): Promise<DeadLetter[]> {
  const entries = (await redis.xrange(deadLetterStream, '-', '+', 'COUNT', count)) as RawEntry[];
  return entries.map(([id, raw]) => {
    const all = toFieldMap(raw);
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(all)) if (!key.startsWith('dl:')) fields[key] = value;
    return {
      id,
      originalId: all['dl:originalId'] ?? '',
      group: all['dl:group'] ?? '',
      consumer: all['dl:consumer'] ?? '',
      error: all['dl:error'] ?? '',
      attempts: Number(all['dl:attempts'] ?? 0),
      failedAt: all['dl:failedAt'] ?? '',
      fields,
    };
  });
}

function firstStreamEntries(reply: unknown): RawEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const first = reply[0] as [string, RawEntry[]] | undefined;
  return first?.[1] ?? [];
}

function toFieldMap(raw: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) map[raw[i]!] = raw[i + 1]!;
  return map;
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}

/** Back-off between failed reads only; never used to wait for a condition. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
