import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { parseAmount } from '../money/amount.js';
import { describeError, isDefinitiveAnswer } from '../ui/errors.js';
import { Money } from '../ui/money.js';
import { Loading, Notice } from '../ui/states.js';
import { MY_WALLETS } from '../wallets/operations.js';
import { CREATE_TRANSFER, LOOKUP_RECIPIENT } from './operations.js';
import { PAYMENT_ERROR_MESSAGES } from './payment-errors.js';
import { usePaymentIntent } from './use-payment-intent.js';

type Recipient = { id: string; displayName: string | null; email: string };
type Result = { kind: 'sent'; amount: number; currency: string; to: string; status: string } | { kind: 'error'; message: string; retryable: boolean };

export function SendMoneyPage() {
  const client = useApolloClient();
  const wallets = useQuery(MY_WALLETS);
  const [send] = useMutation(CREATE_TRANSFER);
  const intent = usePaymentIntent();
  const [email, setEmail] = useState('');
  const [recipient, setRecipient] = useState<Recipient | null>(null);
  const [lookup, setLookup] = useState<{ state: 'idle' | 'busy' | 'none' | 'error'; message?: string }>({ state: 'idle' });
  const [currency, setCurrency] = useState('');
  const [amountText, setAmountText] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const ids = { email: useId(), currency: useId(), amount: useId(), description: useId(), amountHint: useId() };

  const available = wallets.data?.myWallets ?? [];
  const chosenCurrency = currency || available[0]?.currency || 'EUR';
  const wallet = available.find((w) => w.currency === chosenCurrency);
  const parsed = parseAmount(amountText, chosenCurrency);

  async function findRecipient(): Promise<Recipient | null> {
    const wanted = email.trim().toLowerCase();
    if (!wanted) {
      setLookup({ state: 'error', message: 'Enter the recipient’s email.' });
      return null;
    }
    if (recipient?.email === wanted) return recipient;
    setLookup({ state: 'busy' });
    try {
      const { data } = await client.query({ query: LOOKUP_RECIPIENT, variables: { email: wanted }, fetchPolicy: 'network-only' });
      const found = data?.lookupRecipient;
      if (!found) {
        setRecipient(null);
        setLookup({ state: 'none', message: 'No account with that email here.' });
        return null;
      }
      const next = { id: found.id, displayName: found.displayName ?? null, email: wanted };
      setRecipient(next);
      setLookup({ state: 'idle' });
      return next;
    } catch (error) {
      setLookup({ state: 'error', message: describeError(error) });
      return null;
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (intent.isInFlight) return;
    if (!parsed.ok) return;
    const to = await findRecipient();
    if (!to) return;
    const details = { toUserId: to.id, amount: parsed.minor, currency: chosenCurrency, description: description.trim() || null };
    const idempotencyKey = intent.begin(details);
    if (idempotencyKey === null) return;
    setSending(true);
    setResult(null);
    try {
      const { data } = await send({ variables: { input: { ...details, idempotencyKey } } });
      intent.finish('succeeded');
      const transfer = data!.createTransfer;
      setResult({ kind: 'sent', amount: transfer.amount, currency: transfer.currency, to: to.displayName ?? to.email, status: transfer.status });
      void client.refetchQueries({ include: [MY_WALLETS] });
    } catch (error) {
      const definitive = isDefinitiveAnswer(error);
      intent.finish(definitive ? 'refused' : 'unknown');
      setResult({
        kind: 'error',
        retryable: !definitive,
        message: definitive ? describeError(error, PAYMENT_ERROR_MESSAGES) : 'We could not confirm the payment. Press Send again to retry: it will not be sent twice.',
      });
    } finally {
      setSending(false);
    }
  }

  function startOver() {
    intent.reset();
    setResult(null);
    setAmountText('');
    setDescription('');
    setTouched(false);
  }

  if (wallets.loading && !wallets.data) return <Loading label="Loading your wallets…" />;

  if (result?.kind === 'sent') {
    return (
      <section aria-labelledby="send-title">
        <h1 id="send-title">Send money</h1>
        <Notice kind="success">
          <p>
            Sent{' '}
            <strong>
              <Money amount={result.amount} currency={result.currency} />
            </strong>{' '}
            to <strong>{result.to}</strong>.{result.status !== 'completed' ? ` Status: ${result.status}.` : ''}
          </p>
        </Notice>
        <button type="button" className="button" onClick={startOver}>
          New payment
        </button>
      </section>
    );
  }

  const amountError = touched && !parsed.ok ? parsed.error : null;
  return (
    <section aria-labelledby="send-title">
      <h1 id="send-title">Send money</h1>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <div className="field">
          <label htmlFor={ids.email}>Recipient’s email</label>
          <input
            id={ids.email}
            type="email"
            autoComplete="email"
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
              setRecipient(null);
              setLookup({ state: 'idle' });
            }}
            onBlur={() => void (email.trim() ? findRecipient() : undefined)}
            aria-describedby={`${ids.email}-status`}
            required
          />
          <p id={`${ids.email}-status`} className="hint" aria-live="polite">
            {lookup.state === 'busy' ? 'Looking up…' : null}
            {recipient ? <span className="ok">Paying {recipient.displayName ?? recipient.email}</span> : null}
            {lookup.message ? <span className="error-text">{lookup.message}</span> : null}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.currency}>From wallet</label>
          <select id={ids.currency} value={chosenCurrency} onChange={(event) => setCurrency(event.target.value)}>
            {available.length === 0 ? <option value="EUR">EUR</option> : null}
            {available.map((w) => (
              <option key={w.id} value={w.currency}>
                {w.currency}
              </option>
            ))}
          </select>
          {wallet ? (
            <p className="hint">
              Available: <Money amount={wallet.availableBalance} currency={wallet.currency} />
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={ids.amount}>Amount ({chosenCurrency})</label>
          <input
            id={ids.amount}
            inputMode="decimal"
            autoComplete="off"
            value={amountText}
            onChange={(event) => setAmountText(event.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={amountError ? true : undefined}
            aria-describedby={ids.amountHint}
            placeholder="0.00"
            required
          />
          <p id={ids.amountHint} className={amountError ? 'hint error-text' : 'hint'}>
            {amountError ??
              (parsed.ok ? (
                <>
                  You send <Money amount={parsed.minor} currency={chosenCurrency} />
                </>
              ) : (
                'In major units, e.g. 12.50'
              ))}
          </p>
        </div>
        <div className="field">
          <label htmlFor={ids.description}>Note (optional)</label>
          <input id={ids.description} value={description} maxLength={140} onChange={(event) => setDescription(event.target.value)} />
        </div>
        {result?.kind === 'error' ? <Notice kind="error">{result.message}</Notice> : null}
        <button type="submit" className="button" aria-disabled={sending} data-testid="send">
          {sending ? 'Sending…' : result?.kind === 'error' && result.retryable ? 'Send again' : 'Send'}
        </button>
      </form>
    </section>
  );
}
