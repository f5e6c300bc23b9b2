import type { Db } from 'mongodb';
import { defineSaga, step, type Saga } from '../../../src/saga/index.js';

export interface WithdrawInput {
  userId: string;
  amount: number;
}

export interface WithdrawHooks {
  /** Runs when payout starts, before it applies anything. */
  beforePayout?: () => Promise<void>;
  /** Runs after payout applied its effect, before the engine records the result. */
  afterPayoutApplied?: () => Promise<void>;
  payoutRetrySafe?: boolean;
}

/**
 * A withdrawal to an outside provider (compensation mode): hold the funds, pay out, capture the
 * hold. Every effect is a document keyed by the step's idempotency key, written with an upsert,
 * so a repeated step finds its earlier effect instead of applying it twice — the pattern a
 * provider's idempotency key gives for real.
 */
export function createWithdrawSaga(db: Db, hooks: WithdrawHooks = {}): Saga<WithdrawInput> {
  const holds = db.collection<{ _id: string; userId: string; amount: number; status: string }>('holds');
  const payouts = db.collection<{ _id: string; amount: number }>('payouts');
  const releases = db.collection<{ _id: string; holdId: string }>('hold_releases');
  const reversals = db.collection<{ _id: string; payoutId: string }>('payout_reversals');
  const captures = db.collection<{ _id: string; holdId: string }>('captures');

  return defineSaga(
    'withdraw',
    [
      step('hold', {
        async execute(input: WithdrawInput, { idempotencyKey }) {
          await holds.updateOne({ _id: idempotencyKey }, { $setOnInsert: { userId: input.userId, amount: input.amount, status: 'held' } }, { upsert: true });
          return { holdId: idempotencyKey };
        },
        async compensate(_input, { idempotencyKey }, result) {
          if (result === undefined) return;
          await holds.updateOne({ _id: result.holdId, status: 'held' }, { $set: { status: 'released' } });
          await releases.updateOne({ _id: idempotencyKey }, { $setOnInsert: { holdId: result.holdId } }, { upsert: true });
        },
      }),
      step('payout', {
        retrySafe: hooks.payoutRetrySafe ?? true,
        async execute(input: WithdrawInput, { idempotencyKey }) {
          await hooks.beforePayout?.();
          await payouts.updateOne({ _id: idempotencyKey }, { $setOnInsert: { amount: input.amount } }, { upsert: true });
          await hooks.afterPayoutApplied?.();
          return { payoutId: idempotencyKey };
        },
        // In doubt (no result): look the payout up by its key; reverse it only if it happened.
        async compensate(_input, { runId, idempotencyKey }) {
          const payoutId = `${runId}:payout`;
          if ((await payouts.findOne({ _id: payoutId })) === null) return;
          await reversals.updateOne({ _id: idempotencyKey }, { $setOnInsert: { payoutId } }, { upsert: true });
        },
      }),
      step('capture', {
        async execute(_input: WithdrawInput, { idempotencyKey, results }) {
          const { holdId } = results['hold'] as { holdId: string };
          await holds.updateOne({ _id: holdId }, { $set: { status: 'captured' } });
          await captures.updateOne({ _id: idempotencyKey }, { $setOnInsert: { holdId } }, { upsert: true });
          return { captureId: idempotencyKey };
        },
      }),
    ],
    { useTransaction: false },
  );
}

export async function countEffects(db: Db): Promise<Record<string, number>> {
  const names = ['holds', 'payouts', 'hold_releases', 'payout_reversals', 'captures'];
  const counts = await Promise.all(names.map((name) => db.collection(name).countDocuments()));
  return Object.fromEntries(names.map((name, index) => [name, counts[index]!]));
}
