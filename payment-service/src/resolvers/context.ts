import type { Db, MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import DataLoader from 'dataloader';
import type { BalanceCaps, OperationStateTracker, SubgraphContext, TransferEventEmitter, WalletDocument, WebhookManager } from 'core-service';
import type { SagaEngine } from 'core-service/saga';
import type { PayoutProvider } from '../payout/payout-provider.js';
import type { PaymentStore } from '../store/payment-store.js';
import type { BalanceCache } from '../store/balance-cache.js';
import type { ReconciliationJob } from '../reconciliation/reconciliation-job.js';
import type { UserProjectionStore } from '../store/user-projection-store.js';
import type { UserBackfill } from '../events/user-backfill.js';
import type { ProjectedUser } from '../domain/user-projection.js';

/** Everything a payment resolver can reach besides the gateway's vouched-for caller. */
export interface PaymentDeps {
  db: Db;
  client: MongoClient;
  store: PaymentStore;
  sagas: SagaEngine;
  provider: PayoutProvider;
  /** Writes integration events into the outbox of the caller's transaction. */
  emit: TransferEventEmitter;
  fundingShards: number;
  /** Crash bookkeeping of self-managed transfers (recovery confirms commit or rollback). */
  transferTracker: OperationStateTracker;
  /** Ms a self-managed transfer runs before the tracker records it (0: from the start). */
  transferTrackAfterMs: number;
  /** Users' wallets, cached; dropped after each commit that changes them. */
  balances: BalanceCache;
  webhooks: WebhookManager;
  reconciliation: ReconciliationJob;
  /** auth-service's users as payment-service knows them (built from its events). */
  projection: UserProjectionStore;
  backfill: UserBackfill;
  /** How long a party missing from the projection is looked for again before a refusal (see parties.ts). */
  unknownUserGraceMs: number;
  /** Most a customer wallet may hold per currency (settings `balanceCaps`, read per movement). */
  balanceCaps: BalanceCaps;
  /** `lookupRecipient` calls allowed per caller and window. */
  recipientLookups: { redis: Redis; keyPrefix: string; limit: number; windowMs: number };
}

/** Per request: the services's dependencies and the loaders that batch entity fetches. */
export type PaymentContext = SubgraphContext & {
  payment: PaymentDeps;
  walletsByUser: DataLoader<string, WalletDocument[]>;
  projectedUsers: DataLoader<string, ProjectedUser | null>;
};

export function createPaymentContext(base: SubgraphContext, payment: PaymentDeps): Omit<PaymentContext, keyof SubgraphContext> {
  return {
    payment,
    projectedUsers: new DataLoader(async (userIds: readonly string[]) => {
      const byId = await payment.projection.findMany(userIds);
      return userIds.map((id) => byId.get(id) ?? null);
    }),
    walletsByUser: new DataLoader(async (userIds: readonly string[]) => {
      const byUser = await payment.store.walletsOfUsers(base.user?.tenantId ?? null, userIds);
      return userIds.map((id) => byUser.get(id) ?? []);
    }),
  };
}
