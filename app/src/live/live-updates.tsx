import { useApolloClient, useSubscription } from '@apollo/client/react';
import { graphql } from '../gql/index.js';
import { WALLET_UPDATED } from '../wallets/operations.js';

export const NOTIFICATION_RECEIVED = graphql(`
  subscription NotificationReceived {
    notificationReceived {
      id
      type
      title
      body
      readAt
      createdAt
      critical
    }
  }
`);

export const BONUS_UPDATED = graphql(`
  subscription BonusUpdated {
    bonusUpdated {
      id
      status
      turnoverProgress
      turnoverRequired
      amount
      currency
      expiresAt
      resolvedAt
    }
  }
`);

export const TRANSFER_STATUS_CHANGED = graphql(`
  subscription TransferStatusChanged {
    transferStatusChanged {
      id
      status
    }
  }
`);

/**
 * The signed-in user's live subscriptions, held for as long as the app is open. Wallets and
 * bonuses are normalised entities: a `next` frame updates every view of them in place. Lists
 * a frame adds to (a new wallet, a notification, a history entry) are refreshed from the server,
 * which stays the one source of their order and cursors.
 */
export function LiveUpdates() {
  const client = useApolloClient();
  useSubscription(WALLET_UPDATED, {
    onData: ({ data }) => {
      const wallet = data.data?.walletUpdated;
      if (!wallet) return;
      client.cache.modify({
        fields: {
          myWallets(existing: readonly { __ref: string }[] = [], { toReference }) {
            const ref = toReference({ __typename: 'Wallet', id: wallet.id });
            return ref && !existing.some((item) => item.__ref === ref.__ref) ? [...existing, ref] : existing;
          },
          transactions(_value, { DELETE }) {
            return DELETE;
          },
        },
      });
    },
  });
  useSubscription(NOTIFICATION_RECEIVED, {
    onData: ({ data }) => {
      if (!data.data?.notificationReceived) return;
      client.cache.modify({
        fields: {
          unreadNotificationCount(count: number) {
            return count + 1;
          },
          notifications(_value, { DELETE }) {
            return DELETE;
          },
        },
      });
    },
  });
  useSubscription(BONUS_UPDATED, {
    onData: () => {
      client.cache.modify({ fields: { myBonuses: (_value, { DELETE }) => DELETE } });
    },
  });
  useSubscription(TRANSFER_STATUS_CHANGED, {
    onData: () => {
      client.cache.modify({ fields: { transfers: (_value, { DELETE }) => DELETE } });
    },
  });
  return null;
}
