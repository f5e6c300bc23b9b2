import type { ClientSession, Collection } from 'mongodb';
import { assertBalanceWithinCap, assertBalanceWithinLimit, type BalanceCaps } from './amount.js';
import { buildWalletUpdate, newWalletFields, type BalanceType, type WalletDocument } from './wallet.js';

/**
 * The debit side of a movement. `filter` carries the funds check: the debit is a conditional
 * update inside the caller's transaction, never a read followed by a write, so two concurrent
 * debits cannot both pass a check made on the same snapshot.
 */
export interface MovementDebit {
  walletId: string;
  filter: Record<string, unknown>;
  update: Record<string, unknown>;
  balanceType: BalanceType;
  /** Create the wallet on first use (a system account paying). */
  upsert?: boolean;
  /** The error for a debit whose filter matched nothing (no wallet, no funds, books wrong). */
  refused: () => Promise<Error>;
}

/** The credit side: `amount` into one balance of a wallet created on first use. */
export interface MovementCredit {
  tenantId: string;
  userId: string;
  currency: string;
  amount: number;
  balanceType: BalanceType;
  /**
   * A system account (external funding source): created able to go negative, and not subject to
   * the per-currency caps, which bound what a customer's wallet may hold, not the books' counterpart.
   */
  isSystemAccount?: boolean;
}

export interface MovementParams {
  debit: MovementDebit;
  credit: MovementCredit;
  now: Date;
  /** Per-currency maxima for the credited wallet (config); absent: only the safe-integer limit. */
  balanceCaps?: BalanceCaps;
}

/**
 * The two wallet writes of every movement (transfers, deposits, hold captures), in one place so
 * their ordering and limits cannot drift apart. Both wallets are written in wallet-id order,
 * whichever pays: A→B and B→A running together then lock in the same order, so an engine that
 * queues writes behind open transactions cannot deadlock them (and MongoDB sees fewer mutual
 * write conflicts). Any refusal throws inside the caller's transaction, whose abort takes back
 * the write already made: a movement is applied whole or not at all.
 */
export async function applyMovement(wallets: Collection<WalletDocument>, session: ClientSession, params: MovementParams): Promise<{ debited: WalletDocument; credited: WalletDocument }> {
  const { debit, credit, now } = params;
  const creditWalletId = newWalletFields(credit.tenantId, credit.userId, credit.currency, now).id;

  const applyDebit = async (): Promise<WalletDocument> => {
    const debited = await wallets.findOneAndUpdate(debit.filter as never, debit.update as never, { session, returnDocument: 'after', upsert: debit.upsert === true });
    if (debited === null) throw await debit.refused();
    return debited;
  };
  const applyCredit = async (): Promise<WalletDocument> => {
    const credited = await wallets.findOneAndUpdate(
      { _id: creditWalletId },
      {
        ...buildWalletUpdate(credit.balanceType, credit.amount, now),
        $setOnInsert: creationFields(credit.tenantId, credit.userId, credit.currency, now, credit.balanceType, credit.isSystemAccount === true),
      } as never,
      { session, upsert: true, returnDocument: 'after' },
    );
    if (credited === null) throw new Error('credit upsert returned no document');
    return credited;
  };

  let debited: WalletDocument;
  let credited: WalletDocument;
  if (debit.walletId <= creditWalletId) {
    debited = await applyDebit();
    credited = await applyCredit();
  } else {
    credited = await applyCredit();
    debited = await applyDebit();
  }
  // Same wallet, two balance types (bonus → cash): the second write's document has both changes.
  if (debit.walletId === creditWalletId) debited = credited;

  // A system account may go negative and a credit has no ceiling of its own: both stay countable exactly.
  assertBalanceWithinLimit(debited as never, [debit.balanceType], { walletId: debit.walletId });
  assertBalanceWithinLimit(credited as never, [credit.balanceType], { walletId: creditWalletId });
  if (credit.isSystemAccount !== true) {
    assertBalanceWithinCap(credited as never, credit.balanceType, credit.currency, params.balanceCaps, { walletId: creditWalletId });
  }
  return { debited, credited };
}

/**
 * The fields an upsert sets only when it creates the wallet: everything but those the
 * same update increments or sets (MongoDB refuses one path in two operators).
 */
export function creationFields(tenantId: string, userId: string, currency: string, now: Date, changedField: BalanceType, allowNegative = false): Partial<WalletDocument> {
  // Concurrent first uses collide on the derived `_id`, so one wallet exists whoever wins.
  const { [changedField]: _changed, version: _version, updatedAt: _updatedAt, ...rest } = newWalletFields(tenantId, userId, currency, now, allowNegative);
  return rest;
}
