import { useRef } from 'react';
import { PaymentIntent } from './payment-intent.js';

/** One PaymentIntent per mounted form (see payment-intent.ts for the rules). */
export function usePaymentIntent(): PaymentIntent {
  const intent = useRef<PaymentIntent | null>(null);
  intent.current ??= new PaymentIntent();
  return intent.current;
}
