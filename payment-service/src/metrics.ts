import type { ClientSession } from 'mongodb';
import { Counter, Gauge, createServiceMetricsCatalog, runAfterCommit, type Registry } from 'core-service';
import type { FindingKind } from './domain/reconciliation.js';
import type { ReconciliationReport } from './reconciliation/reconciliation-job.js';

/** Open holds of one currency, as the holds gauge reads them. */
export interface OpenHolds {
  currency: string;
  count: number;
  /** Sum of the held amounts, minor units. */
  amount: number;
}

const FINDING_KINDS: FindingKind[] = ['currency_sum_nonzero', 'wallet_ledger_mismatch', 'transfer_entry_count', 'locked_balance_mismatch'];

/**
 * payment-service's business metrics on its server's registry (`/metrics`).
 *
 * Movements are counted from the events every movement already emits (`transfer.completed`,
 * `deposit.completed`, `withdrawal.completed`, `transfer.failed`), after the commit: one counter
 * increment per movement, no extra round trip, nothing counted for an aborted attempt.
 * Labels are bounded: currency (validated against the currency table), type (the ledger's
 * transaction types) and outcome; never a user, tenant or amount.
 *
 * Amounts are counted in the currency's minor unit (cents), the integers the ledger holds. A
 * Prometheus sample is a float64, exact for integers up to 2^53 (9.007e15 minor units, about
 * 90 trillion EUR) per series and process lifetime, so the running total stays exact.
 */
export class PaymentMetrics {
  readonly #movements: Counter<'type' | 'currency' | 'outcome'>;
  readonly #amounts: Counter<'type' | 'currency'>;
  readonly #reconciliations: Counter<'outcome'>;
  readonly #findings: Counter<'kind'>;

  constructor(registry: Registry, sources: { openHolds: () => Promise<OpenHolds[]> }) {
    this.#movements = new Counter({
      name: 'payment_transfers_total',
      help: 'Committed money movements by type (transfer, deposit, withdrawal), currency and outcome (completed; failed: a withdrawal hold released)',
      labelNames: ['type', 'currency', 'outcome'] as const,
      registers: [registry],
    });
    this.#amounts = new Counter({
      name: 'payment_transferred_amount_minor_total',
      help: "Sum of completed movements by type and currency, in the currency's minor unit (cents)",
      labelNames: ['type', 'currency'] as const,
      registers: [registry],
    });
    const holds = (name: string, help: string, value: (row: OpenHolds) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['currency'] as const,
        registers: [registry],
        async collect() {
          this.reset();
          // One aggregation on the partial `hold_created` index (held withdrawals only) per scrape.
          for (const row of await sources.openHolds().catch(() => [])) this.set({ currency: row.currency }, value(row));
        },
      });
    holds('payment_holds_open', 'Withdrawals whose funds are held (payout not yet captured or released), by currency', (row) => row.count);
    holds('payment_holds_open_amount_minor', 'Sum of held withdrawal amounts by currency, minor units', (row) => row.amount);
    this.#reconciliations = new Counter({
      name: 'payment_reconciliation_runs_total',
      help: 'Reconciliation checks of one tenant and currency, by outcome (balanced, findings)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.#findings = new Counter({
      name: 'payment_reconciliation_findings_total',
      help: 'Discrepancies reconciliation found in the books, by kind (never corrected automatically)',
      labelNames: ['kind'] as const,
      registers: [registry],
    });
    // Present at 0 from the start, so `increase()` in an alert sees the first finding.
    for (const kind of FINDING_KINDS) this.#findings.inc({ kind }, 0);
    for (const outcome of ['balanced', 'findings']) this.#reconciliations.inc({ outcome }, 0);
  }

  /** Called by the service's event emitter for every event a movement writes. */
  async observeEvent(type: string, data: Record<string, unknown>, session: ClientSession): Promise<void> {
    const outcome = type === 'transfer.failed' ? 'failed' : type.endsWith('.completed') ? 'completed' : undefined;
    if (outcome === undefined || typeof data['type'] !== 'string' || typeof data['currency'] !== 'string') return;
    const labels = { type: data['type'], currency: data['currency'] };
    const amount = toMinorUnits(data['amount']);
    await runAfterCommit(session, () => {
      this.#movements.inc({ ...labels, outcome });
      if (outcome === 'completed' && amount > 0) this.#amounts.inc(labels, amount);
    });
  }

  reconciled(report: Pick<ReconciliationReport, 'findings'>): void {
    this.#reconciliations.inc({ outcome: report.findings.length === 0 ? 'balanced' : 'findings' });
    for (const finding of report.findings) this.#findings.inc({ kind: finding.kind });
  }
}

function toMinorUnits(amount: unknown): number {
  if (typeof amount === 'number') return amount;
  if (typeof amount === 'bigint') return Number(amount);
  return 0;
}

/** Every metric payment-service serves on `/metrics`, registered on idle sources (dashboards, alert rules). */
export function paymentMetricsCatalog(): Registry {
  return createServiceMetricsCatalog('payment-service', (registry) => new PaymentMetrics(registry, { openHolds: async () => [] }));
}
