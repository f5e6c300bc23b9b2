import { useQuery } from '@apollo/client/react';
import { Link } from 'react-router';
import { Money } from '../ui/money.js';
import { formatDateTime } from '../ui/format.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { MY_WALLETS } from './operations.js';

export function WalletsPage() {
  const { data, loading, error, refetch } = useQuery(MY_WALLETS);
  return (
    <section aria-labelledby="wallets-title">
      <div className="page-head">
        <h1 id="wallets-title">Wallets</h1>
        <Link className="button" to="/send">
          Send money
        </Link>
      </div>
      {loading && !data ? <Loading label="Loading wallets…" /> : null}
      {error && !data ? <ErrorState error={error} retry={() => void refetch()} /> : null}
      {data && data.myWallets.length === 0 ? <Empty>No wallets yet. A wallet opens with your first deposit or incoming payment.</Empty> : null}
      <ul className="cards" aria-label="Your wallets">
        {data?.myWallets.map((wallet) => (
          <li key={wallet.id} className="card wallet" data-testid={`wallet-${wallet.currency}`}>
            <h2 className="wallet-currency">{wallet.currency}</h2>
            <p className="wallet-balance" aria-live="polite">
              <span className="visually-hidden">Balance </span>
              <Money amount={wallet.balance} currency={wallet.currency} />
            </p>
            <dl className="wallet-details">
              <div>
                <dt>Available</dt>
                <dd data-testid="available">
                  <Money amount={wallet.availableBalance} currency={wallet.currency} />
                </dd>
              </div>
              <div>
                <dt>Bonus</dt>
                <dd>
                  <Money amount={wallet.bonusBalance} currency={wallet.currency} />
                </dd>
              </div>
              <div>
                <dt>Locked</dt>
                <dd>
                  <Money amount={wallet.lockedBalance} currency={wallet.currency} />
                </dd>
              </div>
            </dl>
            <p className="muted small">Updated {formatDateTime(wallet.updatedAt, 'short')}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
