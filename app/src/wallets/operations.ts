import { graphql } from '../gql/index.js';

export const WALLET_FIELDS = graphql(`
  fragment WalletFields on Wallet {
    id
    currency
    balance
    bonusBalance
    lockedBalance
    availableBalance
    updatedAt
  }
`);

export const MY_WALLETS = graphql(`
  query MyWallets {
    myWallets {
      ...WalletFields
    }
  }
`);

export const WALLET_UPDATED = graphql(`
  subscription WalletUpdated {
    walletUpdated {
      ...WalletFields
    }
  }
`);
