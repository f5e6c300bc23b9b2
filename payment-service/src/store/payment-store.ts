import type { Collection, Db } from 'mongodb';
import { COLLECTION_NAMES, ensureWalletIndexes, paginateCollection, type LedgerEntry, type PaginatedResult, type TransferDocument, type WalletDocument } from 'core-service';

/** payment-service's reads: wallets, the ledger and transfers, on indexes that serve them. */
export class PaymentStore {
  readonly wallets: Collection<WalletDocument>;
  readonly transfers: Collection<TransferDocument>;
  readonly transactions: Collection<LedgerEntry>;

  constructor(readonly db: Db) {
    this.wallets = db.collection<WalletDocument>(COLLECTION_NAMES.wallets);
    this.transfers = db.collection<TransferDocument>(COLLECTION_NAMES.transfers);
    this.transactions = db.collection<LedgerEntry>(COLLECTION_NAMES.transactions);
  }

  async ensureIndexes(): Promise<void> {
    await ensureWalletIndexes(this.db);
    await this.transfers.createIndexes([
      { key: { tenantId: 1, hold: 1, createdAt: 1 }, name: 'tenant_hold_created', partialFilterExpression: { hold: 'held' } },
      // Stuck-hold recovery looks across tenants for old held withdrawals.
      { key: { hold: 1, createdAt: 1 }, name: 'hold_created', partialFilterExpression: { hold: 'held' } },
      { key: { tenantId: 1, createdAt: -1, _id: -1 }, name: 'tenant_created' },
    ]);
    await this.transactions.createIndexes([{ key: { tenantId: 1, createdAt: -1, _id: -1 }, name: 'tenant_created' }]);
  }

  walletsOf(tenantId: string, userId: string): Promise<WalletDocument[]> {
    return this.wallets.find({ tenantId, userId }).sort({ currency: 1 }).toArray();
  }

  /** One query for every user of a gateway entity fetch. */
  async walletsOfUsers(tenantId: string | null, userIds: readonly string[]): Promise<Map<string, WalletDocument[]>> {
    const filter = tenantId === null ? { userId: { $in: [...userIds] } } : { tenantId, userId: { $in: [...userIds] } };
    const byUser = new Map<string, WalletDocument[]>(userIds.map((id) => [id, []]));
    for (const wallet of await this.wallets.find(filter).sort({ currency: 1 }).toArray()) byUser.get(wallet.userId)?.push(wallet);
    return byUser;
  }

  wallet(tenantId: string, userId: string, currency: string): Promise<WalletDocument | null> {
    return this.wallets.findOne({ tenantId, userId, currency });
  }

  /** Held withdrawals per currency, across tenants (metrics): served by the partial `hold_created` index. */
  async openHoldsByCurrency(): Promise<Array<{ currency: string; count: number; amount: number }>> {
    const rows = await this.transfers
      .aggregate<{ _id: string; count: number; amount: number }>([{ $match: { hold: 'held' } }, { $group: { _id: '$currency', count: { $sum: 1 }, amount: { $sum: '$amount' } } }])
      .toArray();
    return rows.map((row) => ({ currency: row._id, count: row.count, amount: row.amount }));
  }

  transfer(tenantId: string, id: string): Promise<TransferDocument | null> {
    return this.transfers.findOne({ _id: id, tenantId });
  }

  pageTransactions(filter: Record<string, unknown>, first: number | undefined, after: string | undefined, includeTotalCount: boolean): Promise<PaginatedResult<LedgerEntry>> {
    return paginateCollection(this.transactions, { filter, sort: { createdAt: -1 }, ...pageArgs(first, after), includeTotalCount });
  }

  pageTransfers(filter: Record<string, unknown>, first: number | undefined, after: string | undefined, includeTotalCount: boolean): Promise<PaginatedResult<TransferDocument>> {
    return paginateCollection(this.transfers, { filter, sort: { createdAt: -1 }, ...pageArgs(first, after), includeTotalCount });
  }
}

function pageArgs(first: number | undefined, after: string | undefined): { first?: number; after?: string } {
  return { ...(first !== undefined ? { first } : {}), ...(after !== undefined ? { after } : {}) };
}
