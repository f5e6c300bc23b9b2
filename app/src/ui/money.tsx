import { formatMoney } from '../money/amount.js';

export function Money({ amount, currency, signed = false }: { amount: number; currency: string; signed?: boolean }) {
  return <span className="money">{formatMoney(amount, currency, undefined, signed ? { signDisplay: 'exceptZero' } : {})}</span>;
}
