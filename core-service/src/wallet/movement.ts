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
  /** The error for a debit whose filter matched nothing (no wallet, no funds, books wrong); reads through `session`, the refused transaction's. */
  refused: (session: ClientSession) => Promise<Error>;
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
export async function applyMovement(wallets: Collection<WalletDocument>, session: ClientSession, params: MovementParams): Promise<MovementResult> {
  const [result] = await applyMovements(wallets, session, [params]);
  return result!;
}

export interface MovementResult {
  /** The paying wallet right after this movement's debit. */
  debited: WalletDocument;
  /** The receiving wallet right after this movement's credit. */
  credited: WalletDocument;
}

/**
 * Several movements in one transaction (a batch of one wallet's queued transfers), with the same
 * rules as one: every write of every movement in wallet-id order (ties in the movements' order,
 * a movement's debit before its credit), so each result is its wallets as they stood right after
 * that movement, and any refusal aborts them all.
 */
export async function applyMovements(wallets: Collection<WalletDocument>, session: ClientSession, movements: readonly MovementParams[]): Promise<MovementResult[]> {
  const creditWalletIds = movements.map(({ credit, now }) => newWalletFields(credit.tenantId, credit.userId, credit.currency, now).id);
  const writes = movements.flatMap((movement, index) => [
    { walletId: movement.debit.walletId, index, side: 0 as const },
    { walletId: creditWalletIds[index]!, index, side: 1 as const },
  ]);
  writes.sort((a, b) => (a.walletId < b.walletId ? -1 : a.walletId > b.walletId ? 1 : a.index - b.index || a.side - b.side));

  const debitedAt: Array<WalletDocument | undefined> = [];
  const creditedAt: Array<WalletDocument | undefined> = [];
  // One after the other: operations of one transaction must not run in parallel on its session.
  for (const { index, side } of writes) {
    const { debit, credit, now } = movements[index]!;
    if (side === 0) {
      const debited = await wallets.findOneAndUpdate(debit.filter as never, debit.update as never, { session, returnDocument: 'after', upsert: debit.upsert === true });
      if (debited === null) throw await debit.refused(session);
      debitedAt[index] = debited;
    } else {
      const credited = await wallets.findOneAndUpdate(
        { _id: creditWalletIds[index]! },
        {
          ...buildWalletUpdate(credit.balanceType, credit.amount, now),
          $setOnInsert: creationFields(credit.tenantId, credit.userId, credit.currency, now, credit.balanceType, credit.isSystemAccount === true),
        } as never,
        { session, upsert: true, returnDocument: 'after' },
      );
      if (credited === null) throw new Error('credit upsert returned no document');
      creditedAt[index] = credited;
    }
  }

  return movements.map(({ debit, credit, balanceCaps }, index) => {
    const creditWalletId = creditWalletIds[index]!;
    const credited = creditedAt[index]!;
    // Same wallet, two balance types (bonus → cash): the second write's document has both changes.
    const debited = debit.walletId === creditWalletId ? credited : debitedAt[index]!;
    // A system account may go negative and a credit has no ceiling of its own: both stay countable exactly.
    assertBalanceWithinLimit(debited as never, [debit.balanceType], { walletId: debit.walletId });
    assertBalanceWithinLimit(credited as never, [credit.balanceType], { walletId: creditWalletId });
    if (credit.isSystemAccount !== true) {
      assertBalanceWithinCap(credited as never, credit.balanceType, credit.currency, balanceCaps, { walletId: creditWalletId });
    }
    return { debited, credited };
  });
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
