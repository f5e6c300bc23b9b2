import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useRef, useState } from 'react';
import { PaymentIntent } from '../payments/payment-intent.js';
import { describeError, isDefinitiveAnswer } from '../ui/errors.js';
import { formatDate } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Money } from '../ui/money.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { MY_WALLETS } from '../wallets/operations.js';
import { BONUSES, CLAIM_BONUS } from './operations.js';

const BONUS_ERRORS: Record<string, string> = {
  MSBonusNotClaimable: 'This bonus cannot be claimed.',
  MSBonusClaimLimitReached: 'You have already claimed this bonus.',
  MSBonusTemplateNotFound: 'This bonus is no longer offered.',
  MSBonusBudgetExhausted: 'This bonus has run out.',
  MSBonusTemplateInactive: 'This offer has ended.',
  MSBonusOutsideWindow: 'This offer is not open right now.',
  MSBonusIneligibleUser: 'Your account is not eligible for this bonus.',
  MSBonusUserNotFound: 'Your account is still being set up. Try again in a moment.',
};

export function BonusesPage() {
  const { data, error, networkStatus, fetchMore, refetch } = useQuery(BONUSES, { variables: { first: 20 }, notifyOnNetworkStatusChange: true });
  const [claim] = useMutation(CLAIM_BONUS, { refetchQueries: [BONUSES, MY_WALLETS] });
  // One claim intent per template: a double click or a retry claims once.
  const intents = useRef(new Map<string, PaymentIntent>());
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);

  if (!data && networkStatus === NetworkStatus.loading) return <Loading label="Loading bonuses…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const offers = data?.bonusTemplates.filter((t) => t.claimable) ?? [];
  const mine = data?.myBonuses.edges ?? [];

  async function claimTemplate(code: string) {
    let intent = intents.current.get(code);
    if (!intent) intents.current.set(code, (intent = new PaymentIntent()));
    const key = intent.begin({ code });
    if (key === null) return;
    setBusy(code);
    setMessage(null);
    try {
      await claim({ variables: { templateCode: code, idempotencyKey: key } });
      intent.finish('succeeded');
      setMessage({ kind: 'success', text: 'Bonus claimed.' });
    } catch (claimError) {
      intent.finish(isDefinitiveAnswer(claimError) ? 'refused' : 'unknown');
      setMessage({ kind: 'error', text: describeError(claimError, BONUS_ERRORS) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="bonuses-title">
      <h1 id="bonuses-title">Bonuses</h1>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      <h2>Offers</h2>
      {offers.length === 0 ? <Empty>No offers to claim right now.</Empty> : null}
      <ul className="cards">
        {offers.map((offer) => (
          <li key={offer.id} className="card">
            <h3>{offer.name}</h3>
            <p>
              {offer.amount !== null && offer.amount !== undefined ? <Money amount={offer.amount} currency={offer.currency} /> : `${offer.percent ?? 0}%`}
              {offer.turnoverMultiplier > 0 ? ` · turnover ×${offer.turnoverMultiplier}` : ' · no turnover needed'} · valid {offer.validForDays} days
            </p>
            <button type="button" className="button" aria-disabled={busy === offer.code} onClick={() => void claimTemplate(offer.code)}>
              {busy === offer.code ? 'Claiming…' : `Claim ${offer.name}`}
            </button>
          </li>
        ))}
      </ul>
      <h2>Your bonuses</h2>
      {mine.length === 0 ? <Empty>No bonuses yet.</Empty> : null}
      <ul className="rows" aria-label="Your bonuses">
        {mine.map(({ node }) => {
          const percent = node.turnoverRequired > 0 ? Math.min(100, Math.floor((node.turnoverProgress * 100) / node.turnoverRequired)) : 100;
          return (
            <li key={node.id} className="row">
              <div>
                <strong>{node.templateCode}</strong> <span className={`tag status-${node.status.toLowerCase()}`}>{node.status.toLowerCase()}</span>
                <div className="muted small">{node.status === 'ACTIVE' ? `Expires ${formatDate(node.expiresAt)}` : `Since ${formatDate(node.resolvedAt ?? node.createdAt)}`}</div>
                {node.turnoverRequired > 0 ? (
                  <div className="progress-line">
                    <progress max={100} value={percent} aria-label={`Turnover progress for ${node.templateCode}`} />
                    <span className="small">
                      <Money amount={node.turnoverProgress} currency={node.currency} /> of <Money amount={node.turnoverRequired} currency={node.currency} />
                    </span>
                  </div>
                ) : null}
              </div>
              <div className="row-amount">
                <Money amount={node.amount} currency={node.currency} />
              </div>
            </li>
          );
        })}
      </ul>
      <LoadMore
        hasMore={data?.myBonuses.pageInfo.hasNextPage ?? false}
        loading={networkStatus === NetworkStatus.fetchMore}
        onLoadMore={() => void fetchMore({ variables: { after: data?.myBonuses.pageInfo.endCursor } })}
      />
    </section>
  );
}
