import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { parseAmount } from '../money/amount.js';
import { describeError, isDefinitiveAnswer } from '../ui/errors.js';
import { Money } from '../ui/money.js';
import { Empty, Loading, Notice } from '../ui/states.js';
import { MY_WALLETS } from '../wallets/operations.js';
import { WITHDRAW } from './operations.js';
import { PAYMENT_ERROR_MESSAGES } from './payment-errors.js';
import { usePaymentIntent } from './use-payment-intent.js';

export function WithdrawPage() {
  const client = useApolloClient();
  const wallets = useQuery(MY_WALLETS);
  const [withdraw] = useMutation(WITHDRAW);
  const intent = usePaymentIntent();
  const [currency, setCurrency] = useState('');
  const [amountText, setAmountText] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: 'ok'; amount: number; currency: string; status: string } | { kind: 'error'; message: string } | null>(null);
  const ids = { currency: useId(), amount: useId(), hint: useId() };

  if (wallets.loading && !wallets.data) return <Loading />;
  const list = wallets.data?.myWallets ?? [];
  const chosen = currency || list[0]?.currency || '';
  const wallet = list.find((w) => w.currency === chosen);
  const parsed = parseAmount(amountText, chosen || 'EUR');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!parsed.ok || !chosen) return;
    const details = { amount: parsed.minor, currency: chosen };
    const idempotencyKey = intent.begin(details);
    if (idempotencyKey === null) return;
    setBusy(true);
    setOutcome(null);
    try {
      const { data } = await withdraw({ variables: { input: { ...details, idempotencyKey } } });
      intent.finish('succeeded');
      setOutcome({ kind: 'ok', amount: data!.withdraw.amount, currency: data!.withdraw.currency, status: data!.withdraw.status });
      void client.refetchQueries({ include: [MY_WALLETS] });
    } catch (error) {
      const definitive = isDefinitiveAnswer(error);
      intent.finish(definitive ? 'refused' : 'unknown');
      setOutcome({
        kind: 'error',
        message: definitive ? describeError(error, PAYMENT_ERROR_MESSAGES) : 'We could not confirm the withdrawal. Press Withdraw again to retry: it will not be made twice.',
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="withdraw-title">
      <h1 id="withdraw-title">Withdraw</h1>
      {list.length === 0 ? <Empty>You have no wallet to withdraw from yet.</Empty> : null}
      {outcome?.kind === 'ok' ? (
        <>
          <Notice kind="success">
            Withdrawal of <Money amount={outcome.amount} currency={outcome.currency} />{' '}
            {outcome.status === 'pending' ? 'is on its way (the amount is held until the payout settles).' : `is ${outcome.status}.`}
          </Notice>
          <button
            type="button"
            className="button"
            onClick={() => {
              intent.reset();
              setOutcome(null);
              setAmountText('');
              setTouched(false);
            }}
          >
            New withdrawal
          </button>
        </>
      ) : list.length > 0 ? (
        <form className="form" onSubmit={(event) => void submit(event)} noValidate>
          <div className="field">
            <label htmlFor={ids.currency}>From wallet</label>
            <select id={ids.currency} value={chosen} onChange={(event) => setCurrency(event.target.value)}>
              {list.map((w) => (
                <option key={w.id} value={w.currency}>
                  {w.currency}
                </option>
              ))}
            </select>
            {wallet ? (
              <p className="hint">
                Available: <Money amount={wallet.availableBalance} currency={wallet.currency} /> (bonus money cannot be withdrawn)
              </p>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor={ids.amount}>Amount ({chosen})</label>
            <input
              id={ids.amount}
              inputMode="decimal"
              autoComplete="off"
              value={amountText}
              onChange={(event) => setAmountText(event.target.value)}
              aria-describedby={ids.hint}
              aria-invalid={touched && !parsed.ok ? true : undefined}
            />
            <p id={ids.hint} className={touched && !parsed.ok ? 'hint error-text' : 'hint'}>
              {touched && !parsed.ok ? parsed.error : 'In major units, e.g. 20.00'}
            </p>
          </div>
          {outcome?.kind === 'error' ? <Notice kind="error">{outcome.message}</Notice> : null}
          <button type="submit" className="button" aria-disabled={busy}>
            {busy ? 'Withdrawing…' : 'Withdraw'}
          </button>
        </form>
      ) : null}
    </section>
  );
}
