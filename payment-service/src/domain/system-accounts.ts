import { randomInt } from 'node:crypto';

/**
 * The external funding source is a system account that pays every deposit and receives every
 * withdrawal. As a single wallet document it would serialise all deposits of a currency: under
 * snapshot isolation every concurrent transaction debiting it conflicts with the first writer
 * and retries. So the account is split into `FUNDING_SHARDS` sub-wallets, one picked at random
 * per movement, and its balance is the sum of its shards (read rarely: reconciliation, admin).
 * Contention on one shard is 1/N of what one wallet would see; N is a deployment setting.
 */
export const FUNDING_ACCOUNT_PREFIX = 'system:funding';

export function fundingAccountUserId(shard: number): string {
  return `${FUNDING_ACCOUNT_PREFIX}#${shard}`;
}

export function pickFundingAccount(shards: number): string {
  return fundingAccountUserId(shards <= 1 ? 0 : randomInt(shards));
}

export function isSystemAccount(userId: string): boolean {
  return userId.startsWith('system:');
}
