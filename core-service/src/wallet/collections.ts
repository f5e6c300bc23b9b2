/** Collection names of the payment domain, in the brief's names. */
export const COLLECTION_NAMES = Object.freeze({
  wallets: 'wallets',
  transfers: 'transfers',
  transactions: 'transactions',
});

export function getWalletsCollection(): string {
  return COLLECTION_NAMES.wallets;
}

export function getTransfersCollection(): string {
  return COLLECTION_NAMES.transfers;
}

export function getTransactionsCollection(): string {
  return COLLECTION_NAMES.transactions;
}
