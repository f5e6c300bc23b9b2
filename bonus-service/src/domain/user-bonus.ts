import type { BonusType } from './template.js';

export type UserBonusStatus = 'ACTIVE' | 'CONVERTED' | 'EXPIRED' | 'CANCELLED';

/** What caused an award: a claim, an admin, or an event (deposit, transfer, referral). */
export interface AwardTrigger {
  kind: 'claim' | 'admin' | 'deposit' | 'transfer' | 'referral';
  /** The triggering object (transfer id) or the acting user. */
  id: string;
  amount?: number;
}

/** An award as stored in bonus `user_bonuses`. */
export interface UserBonus {
  _id: string;
  id: string;
  tenantId: string;
  userId: string;
  templateId: string;
  templateCode: string;
  type: BonusType;
  currency: string;
  amount: number;
  turnoverRequired: number;
  turnoverProgress: number;
  status: UserBonusStatus;
  expiresAt: Date;
  expiringNoticeAt: Date;
  expiringNotified: boolean;
  createdAt: Date;
  resolvedAt: Date | null;
  cancelReason?: string;
  /**
   * What makes two requests the same award: `claim:<user>:<key>`, `admin:<admin>:<key>`, or
   * `<trigger>:<template>:<object>` for awards made from events. Unique per tenant.
   */
  requestKey: string;
  /** Hash of the request's meaningful input: the same key with other input is refused. */
  requestHash: string;
  trigger: AwardTrigger;
}
