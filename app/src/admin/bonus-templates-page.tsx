import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import type { BonusType } from '../gql/graphql.js';
import { parseAmount, toMajorString as toMajor } from '../money/amount.js';
import { serverMessage } from '../ui/errors.js';
import { Money } from '../ui/money.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { BONUS_TEMPLATES, UPSERT_BONUS_TEMPLATE } from './operations.js';

const TYPES: BonusType[] = ['WELCOME', 'DEPOSIT_MATCH', 'REFERRAL', 'CASHBACK', 'MANUAL'];

interface Draft {
  code: string;
  name: string;
  type: BonusType;
  currency: string;
  amount: string;
  percent: string;
  maxAmount: string;
  turnoverMultiplier: string;
  validForDays: string;
  maxClaimsPerUser: string;
  active: boolean;
  claimable: boolean;
}

const EMPTY: Draft = {
  code: '',
  name: '',
  type: 'MANUAL',
  currency: 'EUR',
  amount: '',
  percent: '',
  maxAmount: '',
  turnoverMultiplier: '0',
  validForDays: '30',
  maxClaimsPerUser: '1',
  active: true,
  claimable: true,
};

export function BonusTemplatesPage() {
  const { data, loading, error, refetch } = useQuery(BONUS_TEMPLATES);
  const [draft, setDraft] = useState<Draft | null>(null);
  if (loading && !data) return <Loading label="Loading bonus templates…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const templates = data?.bonusTemplates ?? [];
  return (
    <section aria-labelledby="bt-title">
      <div className="page-head">
        <h1 id="bt-title">Bonus templates</h1>
        <button type="button" className="button secondary" onClick={() => setDraft(EMPTY)}>
          New template
        </button>
      </div>
      {draft ? <TemplateEditor draft={draft} onDone={() => setDraft(null)} /> : null}
      {templates.length === 0 ? <Empty>No bonus templates.</Empty> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Type</th>
              <th scope="col">Award</th>
              <th scope="col">Turnover</th>
              <th scope="col">Spent</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {templates.map((t) => (
              <tr key={t.id}>
                <td>
                  <strong>{t.code}</strong>
                  <div className="muted small">{t.name}</div>
                </td>
                <td>{t.type.toLowerCase()}</td>
                <td>{t.amount !== null && t.amount !== undefined ? <Money amount={t.amount} currency={t.currency} /> : `${t.percent ?? 0}%`}</td>
                <td>×{t.turnoverMultiplier}</td>
                <td>
                  <Money amount={t.budgetSpent} currency={t.currency} />
                  {t.budget !== null && t.budget !== undefined ? (
                    <>
                      {' '}
                      of <Money amount={t.budget} currency={t.currency} />
                    </>
                  ) : null}
                </td>
                <td>
                  {t.active ? 'active' : 'inactive'}
                  {t.claimable ? ', claimable' : ''}
                </td>
                <td>
                  <button
                    type="button"
                    className="button secondary small"
                    onClick={() =>
                      setDraft({
                        code: t.code,
                        name: t.name,
                        type: t.type,
                        currency: t.currency,
                        amount: t.amount != null ? String(t.amount) : '',
                        percent: t.percent != null ? String(t.percent) : '',
                        maxAmount: t.maxAmount != null ? String(t.maxAmount) : '',
                        turnoverMultiplier: String(t.turnoverMultiplier),
                        validForDays: String(t.validForDays),
                        maxClaimsPerUser: String(t.maxClaimsPerUser),
                        active: t.active,
                        claimable: t.claimable,
                      })
                    }
                  >
                    Edit<span className="visually-hidden"> {t.code}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TemplateEditor({ draft, onDone }: { draft: Draft; onDone: () => void }) {
  // Amounts are edited in major units; the draft from the list holds minor units, converted once.
  const [form, setForm] = useState<Draft>(() => ({
    ...draft,
    amount: draft.amount ? minorToInput(draft.amount, draft.currency) : '',
    maxAmount: draft.maxAmount ? minorToInput(draft.maxAmount, draft.currency) : '',
  }));
  const [problem, setProblem] = useState<string | null>(null);
  const [save, saved] = useMutation(UPSERT_BONUS_TEMPLATE, { refetchQueries: [BONUS_TEMPLATES] });
  const base = useId();
  const field = (name: keyof Draft, label: string, props: Record<string, unknown> = {}) => (
    <div className="field">
      <label htmlFor={`${base}-${name}`}>{label}</label>
      <input id={`${base}-${name}`} value={String(form[name])} onChange={(event) => setForm({ ...form, [name]: event.target.value })} {...props} />
    </div>
  );

  async function submit(event: FormEvent) {
    event.preventDefault();
    const amount = form.amount.trim() ? parseAmount(form.amount, form.currency) : null;
    const maxAmount = form.maxAmount.trim() ? parseAmount(form.maxAmount, form.currency) : null;
    if (amount && !amount.ok) return setProblem(`Amount: ${amount.error}`);
    if (maxAmount && !maxAmount.ok) return setProblem(`Max amount: ${maxAmount.error}`);
    setProblem(null);
    const input = {
      code: form.code.trim(),
      name: form.name.trim(),
      type: form.type,
      currency: form.currency.trim().toUpperCase(),
      amount: amount?.ok ? amount.minor : null,
      percent: form.percent.trim() ? Number.parseInt(form.percent, 10) : null,
      maxAmount: maxAmount?.ok ? maxAmount.minor : null,
      turnoverMultiplier: Number.parseInt(form.turnoverMultiplier, 10) || 0,
      validForDays: Number.parseInt(form.validForDays, 10) || 30,
      maxClaimsPerUser: Number.parseInt(form.maxClaimsPerUser, 10) || 1,
      active: form.active,
      ...(form.type === 'MANUAL' ? { claimable: form.claimable } : {}),
    };
    const result = await save({ variables: { input } }).catch(() => undefined);
    if (result?.data) onDone();
  }

  return (
    <form className="card form editor" onSubmit={(event) => void submit(event)} aria-label="Bonus template">
      <h2>{draft.code ? `Edit ${draft.code}` : 'New template'}</h2>
      <div className="grid-2">
        {field('code', 'Code', { readOnly: draft.code !== '' })}
        {field('name', 'Name')}
        <div className="field">
          <label htmlFor={`${base}-type`}>Type</label>
          <select id={`${base}-type`} value={form.type} onChange={(event) => setForm({ ...form, type: event.target.value as BonusType })}>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        {field('currency', 'Currency')}
        {field('amount', 'Fixed amount (major units)', { inputMode: 'decimal' })}
        {field('percent', 'Or percent of the trigger', { inputMode: 'numeric' })}
        {field('maxAmount', 'Cap (major units)', { inputMode: 'decimal' })}
        {field('turnoverMultiplier', 'Turnover multiplier', { inputMode: 'numeric' })}
        {field('validForDays', 'Valid for days', { inputMode: 'numeric' })}
        {field('maxClaimsPerUser', 'Claims per user', { inputMode: 'numeric' })}
      </div>
      <label className="check">
        <input type="checkbox" checked={form.active} onChange={(event) => setForm({ ...form, active: event.target.checked })} /> Active
      </label>
      {form.type === 'MANUAL' ? (
        <label className="check">
          <input type="checkbox" checked={form.claimable} onChange={(event) => setForm({ ...form, claimable: event.target.checked })} /> Users may claim it
        </label>
      ) : null}
      {problem ? <Notice kind="error">{problem}</Notice> : null}
      {saved.error ? <Notice kind="error">{serverMessage(saved.error)}</Notice> : null}
      <div className="actions">
        <button type="submit" className="button" disabled={saved.loading}>
          Save template
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function minorToInput(minor: string, currency: string): string {
  return toMajor(Number(minor), currency);
}
