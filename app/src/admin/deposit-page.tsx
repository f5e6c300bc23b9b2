import { useLazyQuery, useMutation } from '@apollo/client/react';
import { useId, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { parseAmount } from '../money/amount.js';
import { PAYMENT_ERROR_MESSAGES } from '../payments/payment-errors.js';
import { PaymentIntent } from '../payments/payment-intent.js';
import { describeError, isDefinitiveAnswer } from '../ui/errors.js';
import { Money } from '../ui/money.js';
import { Notice } from '../ui/states.js';
import { DEPOSIT, USERS } from './operations.js';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'PLN', 'JPY'];

/** Funds a user's wallet from the tenant's external funding account (deposit, admin only). */
export function DepositPage() {
  const [params] = useSearchParams();
  const [email, setEmail] = useState(params.get('user') ?? '');
  const [currency, setCurrency] = useState('EUR');
  const [amountText, setAmountText] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ kind: 'success' | 'error'; text: React.ReactNode } | null>(null);
  const [findUser] = useLazyQuery(USERS, { fetchPolicy: 'network-only' });
  const [deposit] = useMutation(DEPOSIT);
  const intent = useRef(new PaymentIntent()).current;
  const ids = { email: useId(), currency: useId(), amount: useId(), hint: useId() };
  const parsed = parseAmount(amountText, currency);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!parsed.ok || intent.isInFlight) return;
    const wanted = email.trim().toLowerCase();
    const found = await findUser({ variables: { first: 5, filter: { emailPrefix: wanted } } }).catch(() => undefined);
    const user = found?.data?.users.edges.map((edge) => edge.node).find((node) => node.email?.toLowerCase() === wanted);
    if (!user) {
      setOutcome({ kind: 'error', text: 'No user with that email in this tenant.' });
      return;
    }
    const details = { userId: user.id, amount: parsed.minor, currency };
    const idempotencyKey = intent.begin(details);
    if (idempotencyKey === null) return;
    setBusy(true);
    setOutcome(null);
    try {
      const { data } = await deposit({ variables: { input: { ...details, idempotencyKey } } });
      intent.finish('succeeded');
      intent.reset();
      setAmountText('');
      setTouched(false);
      setOutcome({
        kind: 'success',
        text: (
          <>
            Deposited <Money amount={data!.deposit.amount} currency={currency} /> to {wanted}. New balance <Money amount={data!.deposit.balance} currency={currency} />.
          </>
        ),
      });
    } catch (error) {
      const definitive = isDefinitiveAnswer(error);
      intent.finish(definitive ? 'refused' : 'unknown');
      setOutcome({ kind: 'error', text: definitive ? describeError(error, PAYMENT_ERROR_MESSAGES) : 'Could not confirm the deposit. Press Deposit again to retry: it will not be made twice.' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="deposit-title">
      <h1 id="deposit-title">Deposit</h1>
      <p className="muted">Credits a user from the tenant’s external funding account. Each deposit is recorded in the ledger and the audit log.</p>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={ids.email}>User’s email</label>
          <input id={ids.email} type="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={ids.currency}>Currency</label>
          <select id={ids.currency} value={currency} onChange={(event) => setCurrency(event.target.value)}>
            {CURRENCIES.map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.amount}>Amount ({currency})</label>
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
            {touched && !parsed.ok ? parsed.error : 'In major units, e.g. 100.00'}
          </p>
        </div>
        {outcome ? <Notice kind={outcome.kind}>{outcome.text}</Notice> : null}
        <button type="submit" className="button" aria-disabled={busy}>
          {busy ? 'Depositing…' : 'Deposit'}
        </button>
      </form>
    </section>
  );
}
