import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Collection, Db, MongoClient } from 'mongodb';
import { duplicateForBullMQ, getLogger, withTransaction } from 'core-service';
import { reconcileCurrency, type ReconciliationFinding } from '../domain/reconciliation.js';
import type { PaymentStore } from '../store/payment-store.js';

export const RECONCILIATION_REPORTS_COLLECTION = 'reconciliation_reports';

export interface ReconciliationReport {
  _id?: string;
  tenantId: string;
  currency: string;
  checkedAt: Date;
  wallets: number;
  transfers: number;
  /** Sum of every balance of the currency in the tenant; zero when the books balance. */
  total: number;
  findings: ReconciliationFinding[];
  isBalanced: boolean;
}

/** Where findings go (`reconciliation.finding`); the service's EventBus fits. */
export interface FindingEmitter {
  emit(type: string, tenantId: string, userId: string | null, data: unknown): Promise<unknown>;
}

export interface ReconciliationJobOptions {
  db: Db;
  client: MongoClient;
  store: PaymentStore;
  redis: Redis;
  events: FindingEmitter;
  queuePrefix: string;
  /** Ms between scheduled runs; default one hour; 0 schedules nothing (manual runs only). */
  everyMs?: number;
  /** Told about each stored report (metrics). */
  onReport?: (report: ReconciliationReport) => void;
}

const QUEUE = 'payment-reconciliation';
const SCHEDULER_ID = 'reconcile-all';

/**
 * Checks the books on a BullMQ job scheduler (one run per interval across all instances, retried
 * by BullMQ if a worker dies) and on demand: per tenant and currency, the sum of balances is
 * zero, each wallet's balances equal its ledger, locked funds equal its held withdrawals, and
 * each completed transfer has exactly two entries. Each report is stored; each finding is also
 * published as `reconciliation.finding`. Nothing is ever corrected here.
 */
export class ReconciliationJob {
  readonly reports: Collection<ReconciliationReport>;
  readonly #options: ReconciliationJobOptions;
  readonly #connections: Redis[] = [];
  #queue: Queue | undefined;
  #worker: Worker | undefined;

  constructor(options: ReconciliationJobOptions) {
    this.#options = options;
    this.reports = options.db.collection<ReconciliationReport>(RECONCILIATION_REPORTS_COLLECTION);
  }

  /** The scheduler's queue once started with a schedule (its depth is exported on /metrics). */
  get queue(): Queue | undefined {
    return this.#queue;
  }

  async start(): Promise<void> {
    await this.reports.createIndex({ tenantId: 1, currency: 1, checkedAt: -1 }, { name: 'tenant_currency_checked' });
    const everyMs = this.#options.everyMs ?? 3_600_000;
    if (everyMs <= 0) return;
    const connection = (role: 'queue' | 'worker'): Redis => {
      const duplicate = duplicateForBullMQ(this.#options.redis, role);
      this.#connections.push(duplicate);
      return duplicate;
    };
    this.#queue = new Queue(QUEUE, { connection: connection('queue'), prefix: this.#options.queuePrefix });
    await this.#queue.upsertJobScheduler(SCHEDULER_ID, { every: everyMs }, { name: 'reconcile', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.#worker = new Worker(QUEUE, (job: Job) => this.#process(job), { connection: connection('worker'), prefix: this.#options.queuePrefix, concurrency: 1 });
    this.#worker.on('error', (error) => getLogger().error({ err: error }, 'reconciliation worker error'));
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    await this.#queue?.close();
    await Promise.allSettled(this.#connections.splice(0).map((c) => c.quit()));
  }

  async #process(_job: Job): Promise<void> {
    const pairs = await this.#options.store.wallets.aggregate<{ _id: { tenantId: string; currency: string } }>([{ $group: { _id: { tenantId: '$tenantId', currency: '$currency' } } }]).toArray();
    for (const { _id } of pairs) await this.reconcile(_id.tenantId, _id.currency);
  }

  /** Checks one tenant's currency now, stores the report and publishes its findings. */
  async reconcile(tenantId: string, currency: string): Promise<ReconciliationReport> {
    const { store } = this.#options;
    // One snapshot for every read: a transfer committing between two reads would otherwise
    // show up as a mismatch that never existed.
    const figures = await withTransaction({
      client: this.#options.client,
      fn: async (session) => {
        // Sequential: reads of one transaction must not run in parallel on its session (driver 7
        // sends startTransaction with each until the first answer; the server refuses the second).
        const wallets = await store.wallets.find({ tenantId, currency }, { session, projection: { _id: 1, balance: 1, bonusBalance: 1, lockedBalance: 1 } }).toArray();
        const ledger = await store.transactions
          .aggregate<{ _id: { walletId: string; balanceType: string }; sum: number }>(
            [{ $match: { tenantId, currency } }, { $group: { _id: { walletId: '$walletId', balanceType: '$balanceType' }, sum: { $sum: '$amount' } } }],
            { session },
          )
          .toArray();
        const perTransfer = await store.transactions
          .aggregate<{ _id: string; count: number }>([{ $match: { tenantId, currency } }, { $group: { _id: '$objectId', count: { $sum: 1 } } }], { session })
          .toArray();
        const transfers = await store.transfers.find({ tenantId, currency }, { session, projection: { _id: 1, status: 1, hold: 1, fromWalletId: 1, amount: 1 } }).toArray();
        return { wallets, ledger, perTransfer, transfers };
      },
    });
    const findings = reconcileCurrency({
      currency,
      wallets: figures.wallets.map((w) => ({ walletId: w._id, balance: w.balance, bonusBalance: w.bonusBalance, lockedBalance: w.lockedBalance })),
      ledgerSums: new Map(figures.ledger.map((row) => [`${row._id.walletId}|${row._id.balanceType}`, row.sum])),
      entriesPerTransfer: new Map(figures.perTransfer.map((row) => [row._id, row.count])),
      transfers: figures.transfers.map((t) => ({ id: t._id, status: t.status, ...(t.hold !== undefined ? { hold: t.hold } : {}), fromWalletId: t.fromWalletId, amount: t.amount })),
    });
    const report: ReconciliationReport = {
      tenantId,
      currency,
      checkedAt: new Date(),
      wallets: figures.wallets.length,
      transfers: figures.transfers.length,
      total: figures.wallets.reduce((sum, w) => sum + w.balance + w.bonusBalance, 0),
      findings,
      isBalanced: findings.length === 0,
    };
    await this.reports.insertOne({ ...report });
    this.#options.onReport?.(report);
    for (const finding of findings) {
      await this.#options.events
        .emit('reconciliation.finding', tenantId, null, { ...finding, checkedAt: report.checkedAt })
        .catch((error: unknown) => getLogger().error({ err: error, finding }, 'reconciliation finding not published'));
    }
    if (findings.length > 0) getLogger().error({ tenantId, currency, findings: findings.length }, 'reconciliation found discrepancies');
    return report;
  }

  latest(tenantId: string, currency: string): Promise<ReconciliationReport | null> {
    return this.reports.findOne({ tenantId, currency }, { sort: { checkedAt: -1 } });
  }
}
