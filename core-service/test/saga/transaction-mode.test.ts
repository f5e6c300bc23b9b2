import type { ClientSession, Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { defineSaga, step, type StepContext } from '../../src/saga/index.js';
import { createSagaHarness } from './support/saga-fixture.js';

interface TransferInput {
  from: string;
  to: string;
  amount: number;
  fee: number;
}

/** A transfer with a fee: three steps, each writing wallets and ledger entries through the saga's session. */
function createTransferSaga(db: Db, options: { failFee?: boolean } = {}) {
  const wallets = db.collection<{ _id: string; balance: number }>('wallets');
  const ledger = db.collection<{ walletId: string; amount: number; step: string }>('transactions');
  const move = async (session: ClientSession | undefined, walletId: string, amount: number, stepName: string): Promise<void> => {
    await wallets.updateOne({ _id: walletId }, { $inc: { balance: amount } }, { session });
    await ledger.insertOne({ walletId, amount, step: stepName }, { session });
  };
  const sessions: Array<ClientSession | undefined> = [];
  const saga = defineSaga(
    'transfer-with-fee',
    [
      step('debit', {
        async execute(input: TransferInput, { session }: StepContext) {
          sessions.push(session);
          await move(session, input.from, -(input.amount + input.fee), 'debit');
          return { debited: input.amount + input.fee };
        },
      }),
      step('credit', {
        async execute(input: TransferInput, { session }: StepContext) {
          sessions.push(session);
          await move(session, input.to, input.amount, 'credit');
          return { credited: input.amount };
        },
      }),
      step('fee', {
        async execute(input: TransferInput, { session }: StepContext) {
          sessions.push(session);
          await move(session, 'fees', input.fee, 'fee');
          if (options.failFee === true) throw new Error('fee account frozen');
          return { fee: input.fee };
        },
      }),
    ],
    { useTransaction: true },
  );
  return { saga, wallets, ledger, sessions };
}

async function seedWallets(db: Db): Promise<void> {
  await db.collection<{ _id: string; balance: number }>('wallets').insertMany([
    { _id: 'alice', balance: 10_000 },
    { _id: 'bob', balance: 0 },
    { _id: 'fees', balance: 0 },
  ]);
}

describe('saga transaction mode', () => {
  it('commits every step together, each step writing through the one session', async () => {
    const { db, engine } = await createSagaHarness('sagatxok');
    await seedWallets(db);
    const { saga, wallets, ledger, sessions } = createTransferSaga(db);

    const outcome = await engine.run(saga, { from: 'alice', to: 'bob', amount: 3_000, fee: 100 }, { idempotencyKey: 'tx-1' });

    expect(outcome).toMatchObject({ status: 'completed', results: { debit: { debited: 3_100 }, credit: { credited: 3_000 }, fee: { fee: 100 } } });
    expect(await wallets.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'alice', balance: 6_900 },
      { _id: 'bob', balance: 3_000 },
      { _id: 'fees', balance: 100 },
    ]);
    expect(await ledger.countDocuments()).toBe(3);
    expect(new Set(sessions).size).toBe(1);
    expect(sessions[0]).toBeDefined();
    expect(await engine.getRun(outcome.runId)).toMatchObject({
      status: 'completed',
      mode: 'transaction',
      steps: [
        { name: 'debit', status: 'completed' },
        { name: 'credit', status: 'completed' },
        { name: 'fee', status: 'completed' },
      ],
    });
  });

  it("a failing step rolls back every step's writes, and nothing is compensated by hand", async () => {
    const { db, engine } = await createSagaHarness('sagatxfail');
    await seedWallets(db);
    const { saga, wallets, ledger } = createTransferSaga(db, { failFee: true });

    const outcome = await engine.run(saga, { from: 'alice', to: 'bob', amount: 3_000, fee: 100 }, { idempotencyKey: 'tx-2' });

    expect(outcome).toMatchObject({ status: 'failed', failedStep: 'fee', error: 'fee account frozen', results: {} });
    expect(await wallets.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'alice', balance: 10_000 },
      { _id: 'bob', balance: 0 },
      { _id: 'fees', balance: 0 },
    ]);
    expect(await ledger.countDocuments()).toBe(0);
    expect(await engine.getRun(outcome.runId)).toMatchObject({ status: 'failed', failedStep: 'fee' });
  });

  it('a repeat with the same idempotency key returns the first outcome without moving money again', async () => {
    const { db, engine } = await createSagaHarness('sagatxidem');
    await seedWallets(db);
    const { saga, wallets, ledger } = createTransferSaga(db);
    const input = { from: 'alice', to: 'bob', amount: 1_000, fee: 10 };

    const [first, second] = await Promise.all([engine.run(saga, input, { idempotencyKey: 'tx-3' }), engine.run(saga, input, { idempotencyKey: 'tx-3' })]);
    const third = await engine.run(saga, input, { idempotencyKey: 'tx-3' });

    expect(first).toEqual(second);
    expect(third).toEqual(first);
    expect(first.status).toBe('completed');
    expect(await ledger.countDocuments()).toBe(3);
    expect((await wallets.findOne({ _id: 'alice' }))!.balance).toBe(8_990);
  });
});
