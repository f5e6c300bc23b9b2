import { randomUUID } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { RelayLease } from '../outbox/relay-lease.js';
import { AuditSealRaceError, auditTenants, pruneAuditLog, sealPendingAuditEntries } from './audit-chain.js';

export interface AuditSealerOptions {
  client: MongoClient;
  /** The `core_service` database. */
  db: Db;
  logger: Logger;
  /** Fallback poll for entries written by other processes (default 500 ms). */
  pollIntervalMs?: number;
  leaseMs?: number;
  /** Days sealed entries are kept; `null` keeps them forever. Read before each retention pass. */
  retentionDays?: () => Promise<number | null> | number | null;
  /** How often retention runs (default hourly). */
  retentionIntervalMs?: number;
}

/**
 * The one process (a MongoDB lease, like the outbox relay's) that chains pending audit entries.
 * Any number of instances may run it: the lease keeps all but one idle, and the transactional
 * head check keeps even two leaders from forking a chain.
 */
export class AuditSealer {
  readonly #lease: RelayLease;
  readonly #pollIntervalMs: number;
  readonly #retentionIntervalMs: number;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #wakeRequested = false;
  #lastRetention = 0;

  constructor(private readonly options: AuditSealerOptions) {
    this.#pollIntervalMs = options.pollIntervalMs ?? 500;
    // Asked about at most once per poll, as the outbox relay does: not at every recorded entry's wake-up.
    this.#lease = new RelayLease(options.db, 'audit-sealer', randomUUID(), options.leaseMs ?? 10_000, this.#pollIntervalMs);
    this.#retentionIntervalMs = options.retentionIntervalMs ?? 3_600_000;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.notify();
    await this.#loop;
    await this.#lease.release().catch(() => undefined);
  }

  /** Seal soon (an entry was just recorded in this process). */
  notify(): void {
    this.#wakeRequested = true;
    this.#wake?.();
  }

  /** One pass when this instance holds the lease; returns how many entries it sealed. */
  async sealOnce(): Promise<number> {
    if (!(await this.#lease.acquire())) return 0;
    const sealed = await sealPendingAuditEntries(this.options.client, this.options.db);
    await this.#retentionPass();
    return sealed;
  }

  async #retentionPass(): Promise<void> {
    const retention = this.options.retentionDays;
    if (retention === undefined || Date.now() - this.#lastRetention < this.#retentionIntervalMs) return;
    this.#lastRetention = Date.now();
    const days = await retention();
    if (days === null) return;
    const before = new Date(Date.now() - days * 86_400_000);
    for (const tenantId of await auditTenants(this.options.db)) {
      const pruned = await pruneAuditLog(this.options.client, this.options.db, tenantId, before);
      if (pruned > 0) this.options.logger.info({ tenantId, pruned, before }, 'audit entries past retention pruned');
    }
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      this.#wakeRequested = false;
      try {
        await this.sealOnce();
        failures = 0;
      } catch (error) {
        // A race with another sealer is expected after a lease hand-over: try again at once.
        if (!(error instanceof AuditSealRaceError)) {
          failures += 1;
          this.options.logger.error({ err: error }, 'audit seal pass failed; retrying');
        }
      }
      if (!this.#running) break;
      if (this.#wakeRequested && failures === 0) continue;
      const waitMs = failures > 0 ? Math.min(10_000, 100 * 2 ** failures) : this.#pollIntervalMs;
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
