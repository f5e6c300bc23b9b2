export * from './amount.js';
export * from './collections.js';
export * from './currency.js';
export * from './errors.js';
export * from './idempotency.js';
export * from './ledger.js';
export * from './wallet.js';
export * from './transfer.js';
