import type { Db, MongoClient } from 'mongodb';
import { WALLET_ERRORS, WalletError, captureHold, placeHold, releaseHold, withTransaction, type TransferEventEmitter } from 'core-service';
import { TerminalError, defineSaga, sagaRunId, step, type Saga } from 'core-service/saga';
import type { PayoutOutcome, PayoutProvider } from '../payout/payout-provider.js';

export interface WithdrawSagaInput {
  tenantId: string;
  userId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  transferId: string;
  /** The funding shard that receives the funds on capture. */
  externalUserId: string;
}

export interface WithdrawSagaDeps {
  db: Db;
  client: MongoClient;
  provider: PayoutProvider;
  emit?: TransferEventEmitter;
}

/**
 * A withdrawal: lock the funds, ask the provider to pay out, then take the funds (capture).
 * Compensation mode, because the provider is outside the database; the money steps themselves
 * each run in their own MongoDB transaction. A decline releases the hold. Capture is the last
 * step and is never compensated: once the provider paid, the funds must leave, so capture is
 * retried long and a run that still cannot capture is parked for a person (needs_attention).
 */
export const WITHDRAW_SAGA_NAME = 'withdraw';

/**
 * The run key of a withdrawal: its idempotency scope (tenant, the withdrawing user, key) and the
 * request's hash. The one derivation, used by the resolver that starts the run and by the
 * recovery that looks it up: two copies could drift and pay out twice. The hash is part of it
 * so a key whose first use left nothing behind (a refused hold) may be used again.
 */
export function withdrawRunKey(held: { tenantId: string; initiatedBy: string; idempotencyKey: string; requestHash: string }): string {
  return `${held.tenantId}:${held.initiatedBy}:${held.idempotencyKey}:${held.requestHash}`;
}

/** The saga engine's run id for that key (the engine's own derivation, `sagaRunId`). */
export function withdrawRunId(held: { tenantId: string; initiatedBy: string; idempotencyKey: string; requestHash: string }): string {
  return sagaRunId(WITHDRAW_SAGA_NAME, withdrawRunKey(held));
}

export function defineWithdrawSaga(deps: WithdrawSagaDeps): Saga<WithdrawSagaInput> {
  const inTransaction = <T>(fn: Parameters<typeof withTransaction<T>>[0]['fn']): Promise<T> => withTransaction({ client: deps.client, fn });
  const emit = deps.emit !== undefined ? { emit: deps.emit } : {};

  return defineSaga<WithdrawSagaInput>(
    WITHDRAW_SAGA_NAME,
    [
      step('hold', {
        execute: async (input) => {
          const { transfer } = await inTransaction((session) => placeHold({ db: deps.db, ...input, ...emit }, session));
          return { transferId: transfer.id };
        },
        // Also called "in doubt" (the process died mid-step): the hold may not exist, which is fine.
        compensate: async (input, context) => {
          // The pivot: once the provider paid, giving the funds back would pay the user twice.
          // Refusing here parks the run as needs_attention for a person to capture by hand.
          const payout = context.results['payout'] as PayoutOutcome | undefined;
          if (payout?.status === 'paid') throw new TerminalError(`transfer ${input.transferId} was paid out; capture it, never release it`);
          try {
            await inTransaction((session) => releaseHold({ db: deps.db, tenantId: input.tenantId, transferId: input.transferId, reason: 'withdrawal not paid out', ...emit }, session));
          } catch (error) {
            if (error instanceof WalletError && error.code === WALLET_ERRORS.HoldNotFound) return;
            throw error;
          }
        },
      }),
      step('payout', {
        execute: async (input, context): Promise<PayoutOutcome> => {
          const outcome = await deps.provider.payout(
            { idempotencyKey: context.idempotencyKey, tenantId: input.tenantId, userId: input.userId, amount: input.amount, currency: input.currency, transferId: input.transferId },
            context.signal,
          );
          // A decline is an answer, not a failure to retry: straight to compensation.
          if (outcome.status === 'declined') throw new TerminalError(`payout declined: ${outcome.reason}`);
          return outcome;
        },
      }),
      step('capture', {
        execute: async (input) => {
          const transfer = await inTransaction((session) => captureHold({ db: deps.db, tenantId: input.tenantId, transferId: input.transferId, ...emit }, session));
          return { status: transfer.status };
        },
        retry: { maxAttempts: 20, strategy: 'exponential', initialDelay: 100, maxDelay: 10_000, jitter: true },
      }),
    ],
    { useTransaction: false },
  );
}
