import type { ClientSession, Db } from 'mongodb';
import { int64 } from './amount.js';
import { WALLET_ERRORS, WalletError } from './errors.js';
import { assertSameRequest, idempotencyFilter } from './idempotency.js';
import { planLedgerEntries } from './ledger.js';
import { applyMovement } from './movement.js';
import { emitTransferEvents, transferEventData, validateTransfer, walletCollections, walletSnapshot, type TransferDocument, type TransferEventEmitter } from './transfer.js';
import { buildWalletActivityUpdate, getWalletId, type WalletDocument } from './wallet.js';

/**
 * Two-phase movements (withdrawals): `placeHold` locks funds and records a pending transfer,
 * then exactly one of `captureHold` (funds leave to the external account, two ledger entries) or
 * `releaseHold` (funds unlocked, transfer failed). Each runs inside the caller's transaction;
 * the hold's state moves by conditional update, so a hold resolves at most once whoever races.
 */

export interface PlaceHoldParams {
  db: Db;
  tenantId: string;
  userId: string;
  /** The system account that will receive the funds on capture. */
  externalUserId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  transferId: string;
  description?: string;
  emit?: TransferEventEmitter;
}

export interface HoldResult {
  transfer: TransferDocument;
  wallet: WalletDocument | null;
  /** True when the idempotency key had already placed this hold. */
  replayed: boolean;
}

/** Locks `amount` of the user's available balance and records the pending withdrawal. */
export async function placeHold(params: PlaceHoldParams, session: ClientSession): Promise<HoldResult> {
  const request = validateTransfer({
    db: params.db,
    tenantId: params.tenantId,
    fromUserId: params.userId,
    toUserId: params.externalUserId,
    toSystemAccount: true,
    amount: params.amount,
    currency: params.currency,
    idempotencyKey: params.idempotencyKey,
    type: 'withdrawal',
    ...(params.description !== undefined ? { description: params.description } : {}),
  });
  const { wallets, transfers } = walletCollections(params.db);
  const existing = await transfers.findOne(idempotencyFilter({ tenantId: params.tenantId, initiatedBy: request.initiatedBy, type: request.type, idempotencyKey: params.idempotencyKey }), { session });
  if (existing !== null) {
    assertSameRequest(existing.requestHash, request.requestHash, params.idempotencyKey);
    return { transfer: existing, wallet: await wallets.findOne({ _id: existing.fromWalletId }, { session }), replayed: true };
  }

  const now = new Date();
  const walletId = getWalletId(params.tenantId, params.userId, params.currency);
  // The available-balance check is the filter of the lock itself (never read-then-write).
  const wallet = await wallets.findOneAndUpdate(
    { _id: walletId, $expr: { $gte: [{ $subtract: ['$balance', '$lockedBalance'] }, params.amount] } } as never,
    { $inc: { lockedBalance: int64(params.amount), version: 1 }, ...buildWalletActivityUpdate(now) },
    { session, returnDocument: 'after' },
  );
  if (wallet === null) {
    const exists = await wallets.countDocuments({ _id: walletId }, { session, limit: 1 });
    if (exists === 0) throw new WalletError(WALLET_ERRORS.WalletNotFound, 'The paying wallet does not exist', { currency: params.currency });
    throw new WalletError(WALLET_ERRORS.InsufficientBalance, 'Insufficient balance', { requested: params.amount });
  }
  const transfer: TransferDocument = {
    _id: params.transferId,
    id: params.transferId,
    tenantId: params.tenantId,
    fromUserId: params.userId,
    toUserId: params.externalUserId,
    fromWalletId: walletId,
    toWalletId: getWalletId(params.tenantId, params.externalUserId, params.currency),
    parties: [params.userId, params.externalUserId],
    amount: params.amount,
    currency: params.currency,
    type: 'withdrawal',
    fromBalanceType: 'balance',
    toBalanceType: 'balance',
    status: 'pending',
    hold: 'held',
    initiatedBy: request.initiatedBy,
    idempotencyKey: params.idempotencyKey,
    requestHash: request.requestHash,
    ...(params.description !== undefined ? { description: params.description } : {}),
    createdAt: now,
  };
  await transfers.insertOne(transfer, { session });
  if (params.emit !== undefined) {
    await params.emit('wallet.updated', wallet.tenantId, wallet.userId, walletSnapshot(wallet), { session });
  }
  return { transfer, wallet, replayed: false };
}

export interface ResolveHoldParams {
  db: Db;
  tenantId: string;
  transferId: string;
  emit?: TransferEventEmitter;
  /** Why a release happened (provider declined, saga compensated, recovery). */
  reason?: string;
}

/**
 * Takes the held funds: the transfer moves from held to captured first (so a concurrent release
 * cannot also apply), then balance and lock drop together and the external account is credited.
 * Capturing an already captured hold is a no-op; capturing a released one is refused.
 */
export async function captureHold(params: ResolveHoldParams, session: ClientSession): Promise<TransferDocument> {
  const { wallets, transfers, transactions } = walletCollections(params.db);
  const now = new Date();
  const transfer = await transfers.findOneAndUpdate(
    { _id: params.transferId, tenantId: params.tenantId, hold: 'held' },
    { $set: { hold: 'captured', status: 'completed', completedAt: now } },
    { session, returnDocument: 'after' },
  );
  if (transfer === null) return alreadyResolved(params, 'captured', session);

  // Balance and lock drop together; the lock guaranteed these funds, so a debit that matches
  // nothing means the books are already wrong (not a customer's error).
  const { debited, credited } = await applyMovement(wallets, session, {
    now,
    debit: {
      walletId: transfer.fromWalletId,
      filter: { _id: transfer.fromWalletId, lockedBalance: { $gte: transfer.amount }, balance: { $gte: transfer.amount } },
      update: { $inc: { balance: int64(-transfer.amount), lockedBalance: int64(-transfer.amount), version: 1 }, ...buildWalletActivityUpdate(now) },
      balanceType: 'balance',
      refused: async () => new Error(`hold ${transfer.id}: wallet ${transfer.fromWalletId} no longer holds the locked funds`),
    },
    credit: { tenantId: transfer.tenantId, userId: transfer.toUserId, currency: transfer.currency, amount: transfer.amount, balanceType: 'balance', isSystemAccount: true },
  });
  const entries = planLedgerEntries({
    transferId: transfer.id,
    tenantId: transfer.tenantId,
    type: 'withdrawal',
    amount: transfer.amount,
    currency: transfer.currency,
    debited,
    credited,
    fromBalanceType: 'balance',
    toBalanceType: 'balance',
    now,
  });
  await transactions.insertMany(entries, { session });
  if (params.emit !== undefined) await emitTransferEvents(params.emit, transfer, debited, credited, session);
  return transfer;
}

/**
 * Gives the held funds back and fails the transfer. Releasing an already released hold is a
 * no-op; releasing a captured one is refused (the money has left).
 */
export async function releaseHold(params: ResolveHoldParams, session: ClientSession): Promise<TransferDocument> {
  const { wallets, transfers } = walletCollections(params.db);
  const now = new Date();
  const transfer = await transfers.findOneAndUpdate(
    { _id: params.transferId, tenantId: params.tenantId, hold: 'held' },
    { $set: { hold: 'released', status: 'failed', completedAt: now, ...(params.reason !== undefined ? { failureReason: params.reason } : {}) } },
    { session, returnDocument: 'after' },
  );
  if (transfer === null) return alreadyResolved(params, 'released', session);
  const wallet = await wallets.findOneAndUpdate(
    { _id: transfer.fromWalletId, lockedBalance: { $gte: transfer.amount } },
    { $inc: { lockedBalance: int64(-transfer.amount), version: 1 }, ...buildWalletActivityUpdate(now) },
    { session, returnDocument: 'after' },
  );
  if (wallet === null) throw new Error(`hold ${transfer.id}: wallet ${transfer.fromWalletId} no longer holds the locked funds`);
  if (params.emit !== undefined) {
    const data = { ...transferEventData(transfer), reason: params.reason ?? null };
    await params.emit('transfer.failed', transfer.tenantId, transfer.fromUserId, data, { session });
    await params.emit('wallet.updated', wallet.tenantId, wallet.userId, walletSnapshot(wallet), { session });
  }
  return transfer;
}

async function alreadyResolved(params: ResolveHoldParams, wanted: 'captured' | 'released', session: ClientSession): Promise<TransferDocument> {
  const { transfers } = walletCollections(params.db);
  const existing = await transfers.findOne({ _id: params.transferId, tenantId: params.tenantId }, { session });
  if (existing === null || existing.hold === undefined) {
    throw new WalletError(WALLET_ERRORS.HoldNotFound, 'No hold with this id', { transferId: params.transferId });
  }
  if (existing.hold === wanted) return existing;
  throw new WalletError(WALLET_ERRORS.HoldAlreadyResolved, `The hold was already ${existing.hold}`, { transferId: params.transferId, hold: existing.hold });
}
