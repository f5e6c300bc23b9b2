import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import { useId } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '../auth/session-context.js';
import type { TransactionType, TransferStatus } from '../gql/graphql.js';
import { formatDateTime } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Money } from '../ui/money.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { MY_WALLETS } from '../wallets/operations.js';
import { TRANSACTIONS, TRANSFERS } from './operations.js';

const PAGE = 20;
const TRANSACTION_TYPES: TransactionType[] = ['transfer', 'deposit', 'withdrawal', 'bonus_award', 'bonus_conversion', 'bonus_forfeit', 'fee', 'reversal', 'hold', 'release'];
const TRANSFER_STATUSES: TransferStatus[] = ['pending', 'completed', 'failed', 'reversed'];
const TYPE_LABELS: Record<TransactionType, string> = {
  transfer: 'Transfer',
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  bonus_award: 'Bonus awarded',
  bonus_conversion: 'Bonus converted',
  bonus_forfeit: 'Bonus forfeited',
  fee: 'Fee',
  reversal: 'Reversal',
  hold: 'Hold',
  release: 'Release',
};

export function HistoryPage() {
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'transfers' ? 'transfers' : 'transactions';
  const currency = params.get('currency') ?? '';
  const wallets = useQuery(MY_WALLETS);
  const ids = { currency: useId(), kind: useId() };
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <div className="tabs" role="group" aria-label="What to show">
        {(['transactions', 'transfers'] as const).map((name) => (
          <button key={name} type="button" aria-pressed={view === name} className={view === name ? 'tab active' : 'tab'} onClick={() => set('view', name === 'transactions' ? '' : name)}>
            {name === 'transactions' ? 'Ledger entries' : 'Transfers'}
          </button>
        ))}
      </div>
      <div className="filters">
        <div className="field inline">
          <label htmlFor={ids.currency}>Currency</label>
          <select id={ids.currency} value={currency} onChange={(event) => set('currency', event.target.value)}>
            <option value="">All</option>
            {wallets.data?.myWallets.map((w) => (
              <option key={w.id} value={w.currency}>
                {w.currency}
              </option>
            ))}
          </select>
        </div>
        {view === 'transactions' ? (
          <div className="field inline">
            <label htmlFor={ids.kind}>Type</label>
            <select id={ids.kind} value={params.get('type') ?? ''} onChange={(event) => set('type', event.target.value)}>
              <option value="">All</option>
              {TRANSACTION_TYPES.map((type) => (
                <option key={type} value={type}>
                  {TYPE_LABELS[type]}
                </option>
              ))}
            </select>
          </div>
        ) : (
          <div className="field inline">
            <label htmlFor={ids.kind}>Status</label>
            <select id={ids.kind} value={params.get('status') ?? ''} onChange={(event) => set('status', event.target.value)}>
              <option value="">All</option>
              {TRANSFER_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {status}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <div>
        {view === 'transactions' ? (
          <TransactionList filter={{ ...(currency ? { currency } : {}), ...(params.get('type') ? { type: params.get('type') as TransactionType } : {}) }} />
        ) : (
          <TransferList filter={{ ...(currency ? { currency } : {}), ...(params.get('status') ? { status: params.get('status') as TransferStatus } : {}) }} />
        )}
      </div>
    </section>
  );
}

function TransactionList({ filter }: { filter: { currency?: string; type?: TransactionType } }) {
  const { data, error, networkStatus, fetchMore, refetch } = useQuery(TRANSACTIONS, { variables: { first: PAGE, filter }, notifyOnNetworkStatusChange: true });
  if (!data && networkStatus === NetworkStatus.loading) return <Loading label="Loading history…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const edges = data?.transactions.edges ?? [];
  if (edges.length === 0) return <Empty>No entries yet.</Empty>;
  const pageInfo = data!.transactions.pageInfo;
  return (
    <>
      <ul className="rows" aria-label="Ledger entries">
        {edges.map(({ node }) => (
          <li key={node.id} className="row">
            <div>
              <strong>{TYPE_LABELS[node.type]}</strong>
              {node.balanceType === 'bonusBalance' ? <span className="tag">bonus</span> : null}
              <div className="muted small">{formatDateTime(node.createdAt)}</div>
            </div>
            <div className="row-amount">
              <span className={node.amount < 0 ? 'negative' : 'positive'}>
                <Money amount={node.amount} currency={node.currency} signed />
              </span>
              <div className="muted small">
                Balance <Money amount={node.balance} currency={node.currency} />
              </div>
            </div>
          </li>
        ))}
      </ul>
      <LoadMore hasMore={pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore} onLoadMore={() => void fetchMore({ variables: { after: pageInfo.endCursor } })} />
    </>
  );
}

/** "Sent to Bob" / "Received from Alice"; a system account (deposits, withdrawals, bonuses) is the platform. */
export function counterpartyLabel(party: { displayName?: string | null; systemAccount: boolean }, outgoing: boolean): string {
  const name = party.systemAccount ? 'the platform' : (party.displayName ?? 'another user');
  return outgoing ? `Sent to ${name}` : `Received from ${name}`;
}

function TransferList({ filter }: { filter: { currency?: string; status?: TransferStatus } }) {
  const { user } = useSession();
  const { data, error, networkStatus, fetchMore, refetch } = useQuery(TRANSFERS, { variables: { first: PAGE, filter }, notifyOnNetworkStatusChange: true });
  if (!data && networkStatus === NetworkStatus.loading) return <Loading label="Loading transfers…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const edges = data?.transfers.edges ?? [];
  if (edges.length === 0) return <Empty>No transfers yet.</Empty>;
  const pageInfo = data!.transfers.pageInfo;
  return (
    <>
      <ul className="rows" aria-label="Transfers">
        {edges.map(({ node }) => {
          const outgoing = node.fromUserId === user?.id;
          return (
            <li key={node.id} className="row">
              <div>
                <strong>{counterpartyLabel(outgoing ? node.to : node.from, outgoing)}</strong> <span className={`tag status-${node.status}`}>{node.status}</span>
                {node.description ? <div className="small">{node.description}</div> : null}
                <div className="muted small">{formatDateTime(node.createdAt)}</div>
              </div>
              <div className="row-amount">
                <span className={outgoing ? 'negative' : 'positive'}>
                  <Money amount={outgoing ? -node.amount : node.amount} currency={node.currency} signed />
                </span>
              </div>
            </li>
          );
        })}
      </ul>
      <LoadMore hasMore={pageInfo.hasNextPage} loading={networkStatus === NetworkStatus.fetchMore} onLoadMore={() => void fetchMore({ variables: { after: pageInfo.endCursor } })} />
    </>
  );
}
