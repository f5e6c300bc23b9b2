import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { OutboxEntry, OutboxEventShape, OutboxStore } from './outbox-store.js';
import { RelayLease } from './relay-lease.js';

export interface OutboxRelayHooks<TEvent extends OutboxEventShape> {
  /**
   * Fault-injection seams for crash tests (a child process blocks here and is killed).
   * Called with the batch about to be published / already published but not yet marked sent.
   */
  beforePublish?(entries: ReadonlyArray<OutboxEntry<TEvent>>): Promise<void>;
  afterPublish?(entries: ReadonlyArray<OutboxEntry<TEvent>>): Promise<void>;
}

export interface OutboxRelayOptions<TEvent extends OutboxEventShape> {
  store: OutboxStore<TEvent>;
  /** Publishes a batch in the given order; resolves only once every entry is durably published. */
  publish(entries: ReadonlyArray<OutboxEntry<TEvent>>): Promise<void>;
  /** Lease name: one relay per service (defaults to the outbox collection's namespace). */
  name?: string;
  owner?: string;
  leaseMs?: number;
  /** Fallback poll when no in-process wake-up arrives (commits in other processes). */
  pollIntervalMs?: number;
  /** Outbox documents read per pass (each holds the events of one write); default 200. */
  batchSize?: number;
  hooks?: OutboxRelayHooks<TEvent>;
  logger: Logger;
}

/**
 * Publishes committed outbox entries and marks them sent.
 *
 * Order: one leader (lease) publishes entries in `_id` order, i.e. the order in which the
 * emitting code wrote them; entries of one transaction keep their order, and transactions
 * that touch the same document (a wallet) are serialized by MongoDB's write conflicts, so
 * per-aggregate order holds. Two unrelated transactions may commit in the opposite order of
 * their ids; the later-committed one with the smaller id is then published after. We did not
 * add a per-tenant counter document to force a strict sequence: it would serialize every
 * money transaction of a tenant behind one hot document.
 *
 * Crash safety: publish first, mark sent after. A crash between commit and publish leaves
 * the entry pending and the next leader publishes it; a crash between publish and mark
 * republishes it, and consumers dedupe on the event id.
 */
export class OutboxRelay<TEvent extends OutboxEventShape = OutboxEventShape> {
  readonly #lease: RelayLease;
  readonly #pollIntervalMs: number;
  readonly #batchSize: number;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #wakeRequested = false;
  #passes: Promise<unknown> = Promise.resolve();
  #isLeader = false;

  constructor(private readonly options: OutboxRelayOptions<TEvent>) {
    const leaseMs = options.leaseMs ?? 10_000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1_000;
    // The lease is asked about at most as often as the relay polls: an instance that is not the
    // holder tries again at its poll (as fast as a holder's death or release can be noticed
    // anyway), not at every commit's wake-up.
    this.#lease = new RelayLease(
      options.store.db,
      options.name ?? `${options.store.db.databaseName}.${options.store.collection.collectionName}`,
      options.owner ?? randomUUID(),
      leaseMs,
      this.#pollIntervalMs,
    );
    this.#batchSize = options.batchSize ?? 200;
  }

  get owner(): string {
    return this.#lease.owner;
  }

  get isRunning(): boolean {
    return this.#running;
  }

  /** Whether this instance held the lease at its last pass (commits elsewhere must wake it remotely). */
  get isLeader(): boolean {
    return this.#isLeader;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    await this.options.store.ensureIndexes();
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.notify();
    await this.#loop;
    this.#isLeader = false;
    await this.#lease.release().catch(() => undefined);
  }

  /** Wakes the relay now (called after a commit that wrote outbox entries); cheap and coalescing. */
  notify(): void {
    this.#wakeRequested = true;
    this.#wake?.();
  }

  /** Publishes what is pending once, if this instance holds the lease; returns how many. */
  publishPending(): Promise<number> {
    // One pass at a time per instance: the lease keeps other instances out, not our own loop.
    const pass = this.#passes.then(() => this.#publishPendingNow());
    this.#passes = pass.catch(() => undefined);
    return pass;
  }

  async #publishPendingNow(): Promise<number> {
    this.#isLeader = await this.#lease.acquire();
    if (!this.#isLeader) return 0;
    let total = 0;
    for (;;) {
      const entries = await this.options.store.nextPending(this.#batchSize);
      if (entries.length === 0) return total;
      await this.options.hooks?.beforePublish?.(entries);
      await this.options.publish(entries);
      await this.options.hooks?.afterPublish?.(entries);
      // The entries of one document share its `_id`; a batch is `batchSize` documents.
      const documents = [...new Map(entries.map((entry) => [entry._id.toHexString(), entry._id])).values()];
      await this.options.store.markSent(documents);
      total += entries.length;
      if (documents.length < this.#batchSize) return total;
      // A long drain renews the lease between batches (when due) so another instance does not take over.
      this.#isLeader = await this.#lease.acquire();
      if (!this.#isLeader) return total;
    }
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      this.#wakeRequested = false;
      try {
        await this.publishPending();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.options.logger.error({ err: error }, 'outbox relay pass failed; retrying');
      }
      if (!this.#running) break;
      // Failures back off; otherwise wait for a notify or the poll fallback, whichever first.
      // The leader also renews its lease well before it runs out, however long the poll is.
      const waitMs = failures > 0 ? Math.min(10_000, 100 * 2 ** failures) : Math.min(this.#pollIntervalMs, this.#lease.leaseMs / 3);
      if (this.#wakeRequested && failures === 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
