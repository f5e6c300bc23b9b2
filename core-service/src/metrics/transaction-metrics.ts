import type { MongoClient } from 'mongodb';
import { Counter, type Registry } from 'prom-client';
import { observeTransactions } from '../database/transaction.js';

/**
 * Transactions `withTransaction` runs on `client`: how they ended, and how often the driver had
 * to run a body or a commit again (by the error label that made it retry). Counted as they
 * happen (one increment each), not per scrape. Returns the unsubscribe function.
 */
export function registerTransactionMetrics(registry: Registry, client: MongoClient): () => void {
  const ended = new Counter({
    name: 'mongodb_transactions_total',
    help: 'Transactions run by withTransaction, by outcome (committed, or aborted: an error reached the caller, business refusals included)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'mongodb_transaction_retries_total',
    help: 'Transaction bodies or commits the driver ran again, by the error label (TransientTransactionError, UnknownTransactionCommitResult)',
    labelNames: ['label'] as const,
    registers: [registry],
  });
  // Series exist from the start, so rate() and alerts see 0 rather than no data.
  for (const outcome of ['committed', 'aborted']) ended.inc({ outcome }, 0);
  for (const label of ['TransientTransactionError', 'UnknownTransactionCommitResult']) retries.inc({ label }, 0);
  return observeTransactions(client, {
    onRetry: (label) => retries.inc({ label }),
    onEnd: (outcome) => ended.inc({ outcome }),
  });
}
