import type { Db, MongoClient } from 'mongodb';
import type { AuditTrail, BalanceCaps, TransferEventEmitter } from 'core-service';
import type { BonusStore } from '../store/bonus-store.js';
import type { UserBonus } from '../domain/user-bonus.js';

/** Schedules an award's own expiry (and its expiring-soon notice) once its award has committed. */
export interface ExpiryScheduling {
  schedule(bonus: Pick<UserBonus, 'id' | 'tenantId' | 'expiresAt' | 'expiringNoticeAt'>): Promise<void>;
}

/** Everything the award and resolution steps need; the same for resolvers, handlers and workers. */
export interface BonusDeps {
  client: MongoClient;
  store: BonusStore;
  /**
   * payment-service's database: wallets, transfers and the ledger. Awards write there through
   * core-service's transfer helper, in the same transaction as their own record (one replica
   * set, so one transaction may span both databases).
   */
  paymentDb: Db;
  /** Writes events into bonus-service's outbox in the caller's transaction. */
  emit: TransferEventEmitter;
  /** The platform audit log; money and award entries follow the events, template edits are recorded directly. */
  audit: AuditTrail;
  expiry: ExpiryScheduling;
  /** Sub-wallets of the bonus pool (see domain/system-accounts.ts). */
  poolShards: number;
  /** Injected clock: expiry and window tests move time without sleeping. */
  now(): Date;
  /** payment-service's per-currency balance caps, read per movement (awards/balance-caps.ts). */
  balanceCaps(): BalanceCaps;
}
