import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Observable, type Subscriber } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SendMoneyPage } from '../../src/payments/send-money-page.js';

type Result = ApolloLink.Result;

/**
 * A fake gateway: answers wallets and recipient lookups at once, and holds every createTransfer
 * until the test answers it, so a second click lands while the first send is in flight.
 */
function fakeGateway() {
  const transfers: Array<{ variables: Record<string, any>; answer(result: Result | Error): void }> = [];
  const link = new ApolloLink(
    (operation) =>
      new Observable<Result>((observer: Subscriber<Result>) => {
        const reply = (result: Result | Error) => {
          if (result instanceof Error) observer.error(result);
          else {
            observer.next(result);
            observer.complete();
          }
        };
        switch (operation.operationName) {
          case 'MyWallets':
            return reply({
              data: {
                myWallets: [{ __typename: 'Wallet', id: 'w1', currency: 'EUR', balance: 10_000, bonusBalance: 0, lockedBalance: 0, availableBalance: 10_000, updatedAt: '2026-12-05T10:00:00.000Z' }],
              },
            });
          case 'LookupRecipient':
            return reply({ data: { lookupRecipient: { __typename: 'Recipient', id: 'u2', displayName: 'Bob' } } });
          case 'CreateTransfer':
            transfers.push({ variables: operation.variables, answer: reply });
            return undefined;
          default:
            return reply({ errors: [{ message: `unexpected ${operation.operationName}` }] } as Result);
        }
      }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  return { client, transfers };
}

const transferResult = (amount: number): Result => ({
  data: { createTransfer: { __typename: 'Transfer', id: 't1', amount, currency: 'EUR', status: 'completed', description: null, createdAt: '2026-12-05T10:00:00.000Z' } },
});

async function fillForm(amount: string) {
  const user = userEvent.setup();
  await screen.findByText('Available:', { exact: false });
  await user.type(screen.getByLabelText('Recipient’s email'), 'bob@demo.local');
  await user.type(screen.getByLabelText('Amount (EUR)'), amount);
  await screen.findByText('Paying Bob');
  return user;
}

function renderPage(client: ApolloClient) {
  render(
    <ApolloProvider client={client}>
      <MemoryRouter>
        <SendMoneyPage />
      </MemoryRouter>
    </ApolloProvider>,
  );
}

describe('the send money form', () => {
  it('a double click sends one createTransfer, with the amount in minor units', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.client);
    const user = await fillForm('12.34');
    await user.dblClick(screen.getByTestId('send'));
    await screen.findByText('Sending…');
    expect(gateway.transfers).toHaveLength(1);
    expect(gateway.transfers[0]!.variables['input']).toMatchObject({ toUserId: 'u2', amount: 1234, currency: 'EUR' });
    gateway.transfers[0]!.answer(transferResult(1234));
    await screen.findByText('Bob');
    expect(screen.getByRole('status').textContent).toContain('Sent €12.34 to Bob.');
  });

  it('a retry after a network failure carries the same idempotency key', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.client);
    const user = await fillForm('5');
    await user.click(screen.getByTestId('send'));
    await screen.findByText('Sending…');
    gateway.transfers[0]!.answer(new TypeError('Failed to fetch'));
    await screen.findByText(/We could not confirm the payment/);
    await user.click(screen.getByRole('button', { name: 'Send again' }));
    await screen.findByText('Sending…');
    expect(gateway.transfers).toHaveLength(2);
    expect(gateway.transfers[1]!.variables['input'].idempotencyKey).toBe(gateway.transfers[0]!.variables['input'].idempotencyKey);
  });

  it('a refusal is explained in words and the next try is a new payment', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.client);
    const user = await fillForm('500');
    await user.click(screen.getByTestId('send'));
    await screen.findByText('Sending…');
    gateway.transfers[0]!.answer({ data: null, errors: [{ message: 'Insufficient balance', extensions: { code: 'MSPaymentInsufficientBalance' } }] } as Result);
    await screen.findByText('Your available balance is too low for this payment. Bonus money cannot be sent.');
    await user.click(screen.getByTestId('send'));
    await screen.findByText('Sending…');
    expect(gateway.transfers[1]!.variables['input'].idempotencyKey).not.toBe(gateway.transfers[0]!.variables['input'].idempotencyKey);
  });

  it('an amount with too many decimals is pointed out at the field and nothing is sent', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.client);
    const user = await fillForm('1.234');
    await user.click(screen.getByTestId('send'));
    expect(await screen.findByText('EUR has at most 2 decimal places.')).toBeTruthy();
    expect(screen.getByLabelText('Amount (EUR)').getAttribute('aria-invalid')).toBe('true');
    expect(gateway.transfers).toHaveLength(0);
  });
});
