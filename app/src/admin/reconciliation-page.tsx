import { useLazyQuery, useMutation } from '@apollo/client/react';
import { useId, useState } from 'react';
import { graphql } from '../gql/index.js';
import { serverMessage } from '../ui/errors.js';
import { formatDateTime } from '../ui/format.js';
import { Money } from '../ui/money.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';

// Read by codegen: the fragment both operations below spread.
export const REPORT_FIELDS = graphql(`
  fragment ReconciliationReportFields on ReconciliationReport {
    currency
    checkedAt
    wallets
    transfers
    total
    isBalanced
    findings {
      kind
      currency
      walletId
      transferId
      balanceType
      expected
      actual
    }
  }
`);

export const RECONCILIATION_REPORT = graphql(`
  query AdminReconciliationReport($currency: String!) {
    reconciliationReport(currency: $currency) {
      ...ReconciliationReportFields
    }
  }
`);

export const RUN_RECONCILIATION = graphql(`
  mutation AdminRunReconciliation($currency: String!) {
    runReconciliation(currency: $currency) {
      ...ReconciliationReportFields
    }
  }
`);

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'PLN', 'JPY'];

/** The books per currency: the latest stored report, or a check run now. Findings are reported, never corrected. */
export function ReconciliationPage() {
  const [currency, setCurrency] = useState('EUR');
  const [load, latest] = useLazyQuery(RECONCILIATION_REPORT, { fetchPolicy: 'network-only' });
  const [run, ran] = useMutation(RUN_RECONCILIATION);
  const currencyId = useId();
  const report = ran.data?.runReconciliation.currency === currency ? ran.data.runReconciliation : latest.data?.reconciliationReport;
  return (
    <section aria-labelledby="rec-title">
      <h1 id="rec-title">Reconciliation</h1>
      <p className="muted">Checks that every currency sums to zero, each wallet matches its ledger, each transfer has two entries and holds match locked balances.</p>
      <div className="filters">
        <div className="field inline">
          <label htmlFor={currencyId}>Currency</label>
          <select id={currencyId} value={currency} onChange={(event) => setCurrency(event.target.value)}>
            {CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button secondary" onClick={() => void load({ variables: { currency } }).catch(() => undefined)}>
          Show latest report
        </button>
        <button type="button" className="button" disabled={ran.loading} onClick={() => void run({ variables: { currency } }).catch(() => undefined)}>
          {ran.loading ? 'Checking…' : 'Run check now'}
        </button>
      </div>
      {latest.loading ? <Loading label="Loading the report…" /> : null}
      {latest.error ? <ErrorState error={latest.error} /> : null}
      {ran.error ? <Notice kind="error">{serverMessage(ran.error)}</Notice> : null}
      {latest.called && !latest.loading && !report && !latest.error ? <Empty>No report for {currency} yet. Run a check.</Empty> : null}
      {report ? (
        <div className="card">
          <Notice kind={report.isBalanced && report.findings.length === 0 ? 'success' : 'error'}>
            {report.isBalanced && report.findings.length === 0 ? 'The books balance.' : `${report.findings.length} finding(s).`}
          </Notice>
          <dl className="facts">
            <div>
              <dt>Checked</dt>
              <dd>{formatDateTime(report.checkedAt)}</dd>
            </div>
            <div>
              <dt>Sum of all balances</dt>
              <dd>
                <Money amount={report.total} currency={report.currency} />
              </dd>
            </div>
            <div>
              <dt>Wallets</dt>
              <dd>{report.wallets}</dd>
            </div>
            <div>
              <dt>Transfers</dt>
              <dd>{report.transfers}</dd>
            </div>
          </dl>
          {report.findings.length > 0 ? (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Kind</th>
                    <th scope="col">Wallet / transfer</th>
                    <th scope="col">Expected</th>
                    <th scope="col">Actual</th>
                  </tr>
                </thead>
                <tbody>
                  {report.findings.map((f, index) => (
                    <tr key={index}>
                      <td>{f.kind.replaceAll('_', ' ')}</td>
                      <td>
                        <code>{f.walletId ?? f.transferId ?? '—'}</code>
                      </td>
                      <td>
                        <Money amount={f.expected} currency={f.currency} />
                      </td>
                      <td>
                        <Money amount={f.actual} currency={f.currency} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
