import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { act, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { Observable, type Subscriber } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { UnreadBadge } from '../../src/inbox/unread-badge.js';
import { LiveUpdates } from '../../src/live/live-updates.js';
import { WalletsPage } from '../../src/wallets/wallets-page.js';

type Result = ApolloLink.Result;
const wallet = (currency: string, balance: number) => ({
  __typename: 'Wallet',
  id: `w-${currency}`,
  currency,
  balance,
  bonusBalance: 0,
  lockedBalance: 0,
  availableBalance: balance,
  updatedAt: '2026-12-05T10:00:00.000Z',
});

/** Queries answered from fixed data; each subscription's observer kept so the test can push frames. */
function fakePlatform() {
  const live = new Map<string, Subscriber<Result>>();
  const link = new ApolloLink(
    (operation) =>
      new Observable<Result>((observer) => {
        if (operation.operationName === 'MyWallets') {
          observer.next({ data: { myWallets: [wallet('EUR', 1_000)] } });
          observer.complete();
        } else if (operation.operationName === 'UnreadNotificationCount') {
          observer.next({ data: { unreadNotificationCount: 2 } });
          observer.complete();
        } else {
          live.set(operation.operationName!, observer);
        }
        return undefined;
      }),
  );
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), push: (name: string, data: unknown) => act(() => live.get(name)!.next({ data } as Result)), live };
}

function renderApp(client: ApolloClient) {
  render(
    <ApolloProvider client={client}>
      <MemoryRouter>
        <LiveUpdates />
        <UnreadBadge />
        <WalletsPage />
      </MemoryRouter>
    </ApolloProvider>,
  );
}

describe('live updates reach the screen without a reload', () => {
  it('a walletUpdated frame changes the balance shown, and a wallet in a new currency appears', async () => {
    const platform = fakePlatform();
    renderApp(platform.client);
    await screen.findByTestId('wallet-EUR');
    await act(async () => undefined);
    platform.push('WalletUpdated', { walletUpdated: wallet('EUR', 2_234) });
    expect(await screen.findAllByText('€22.34')).toHaveLength(2); // balance and available
    platform.push('WalletUpdated', { walletUpdated: wallet('USD', 500) });
    expect(await screen.findByTestId('wallet-USD')).toBeTruthy();
  });

  it('a notificationReceived frame bumps the unread badge', async () => {
    const platform = fakePlatform();
    renderApp(platform.client);
    expect((await screen.findByLabelText('2 unread')).textContent).toBe('2');
    await act(async () => undefined);
    platform.push('NotificationReceived', {
      notificationReceived: {
        __typename: 'Notification',
        id: 'n1',
        type: 'payment.transfer_received',
        title: 'Money received',
        body: 'Bob sent you €5.00.',
        readAt: null,
        createdAt: '2026-12-05T10:00:00.000Z',
        critical: false,
      },
    });
    expect((await screen.findByLabelText('3 unread')).textContent).toBe('3');
  });
});
