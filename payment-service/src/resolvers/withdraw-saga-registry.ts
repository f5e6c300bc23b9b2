import type { Saga } from 'core-service/saga';
import { defineWithdrawSaga, type WithdrawSagaInput } from '../sagas/withdraw.js';
import type { PaymentDeps } from './context.js';

const sagas = new WeakMap<PaymentDeps, Saga<WithdrawSagaInput>>();

/** One saga definition per service instance (its steps close over that instance's database and provider). */
export function withdrawSagaOf(deps: PaymentDeps): Saga<WithdrawSagaInput> {
  let saga = sagas.get(deps);
  if (saga === undefined) {
    saga = defineWithdrawSaga({ db: deps.db, client: deps.client, provider: deps.provider, emit: deps.emit });
    sagas.set(deps, saga);
  }
  return saga;
}
