import type { IntegrationEvent } from '../../events/integration-event.js';

export type LiveField = 'walletUpdated' | 'transferStatusChanged' | 'notificationReceived' | 'bonusUpdated';

export interface LiveMessage {
  field: LiveField;
  tenantId: string;
  /** Users the message is for: each gets it on its own subscriptions only. */
  userIds: string[];
  /** The object the subscription field resolves to. */
  payload: Record<string, unknown>;
  eventId: string;
}

/**
 * Which integration events become which subscription field, and for whom. A pure function of the
 * event so every transport and every instance agrees. Events carry the object under its own name
 * (`data.wallet`) or as the data itself.
 */
export function routeIntegrationEvent(event: IntegrationEvent): LiveMessage | undefined {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const pick = (name: string): Record<string, unknown> => {
    const nested = data[name];
    return typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : data;
  };
  if (event.type === 'wallet.updated') {
    const wallet = normalizeWallet(pick('wallet'), event.occurredAt);
    const userId = (wallet['userId'] as string | undefined) ?? event.userId;
    if (!userId) return undefined;
    return { field: 'walletUpdated', tenantId: event.tenantId, userIds: [userId], payload: wallet, eventId: event.id };
  }
  if (event.type.startsWith('transfer.') || event.type.startsWith('withdrawal.')) {
    const transfer = normalizeTransfer(pick('transfer'), event.occurredAt);
    const userIds = [transfer['fromUserId'], transfer['toUserId'], event.userId].filter((id, index, all): id is string => typeof id === 'string' && all.indexOf(id) === index);
    if (userIds.length === 0 || transfer['id'] === undefined) return undefined;
    return { field: 'transferStatusChanged', tenantId: event.tenantId, userIds, payload: transfer, eventId: event.id };
  }
  if (event.type === 'notification.created' || event.type === 'notification.received' || event.type === 'notification.sent') {
    const notification = pick('notification');
    const userId = (notification['userId'] as string | undefined) ?? event.userId;
    if (!userId) return undefined;
    return { field: 'notificationReceived', tenantId: event.tenantId, userIds: [userId], payload: notification, eventId: event.id };
  }
  if (event.type.startsWith('bonus.')) {
    // bonus-service's events carry the award as the API's UserBonus under `bonus`.
    const bonus = pick('bonus');
    const userId = (bonus['userId'] as string | undefined) ?? event.userId;
    if (!userId || bonus['id'] === undefined) return undefined;
    return { field: 'bonusUpdated', tenantId: event.tenantId, userIds: [userId], payload: bonus, eventId: event.id };
  }
  return undefined;
}

/**
 * core-service's wallet and transfer events (walletSnapshot, emitTransferEvents) name the id
 * `walletId`/`transferId` and leave out what the API type derives; the payload is shaped to the
 * API's `Wallet`/`Transfer` so subscription documents select the same fields as queries.
 */
function normalizeWallet(data: Record<string, unknown>, occurredAt: string): Record<string, unknown> {
  const balance = typeof data['balance'] === 'number' ? data['balance'] : 0;
  const locked = typeof data['lockedBalance'] === 'number' ? data['lockedBalance'] : 0;
  return {
    ...data,
    id: data['id'] ?? data['walletId'],
    bonusBalance: data['bonusBalance'] ?? 0,
    lockedBalance: locked,
    availableBalance: data['availableBalance'] ?? balance - locked,
    updatedAt: data['updatedAt'] ?? occurredAt,
  };
}

function normalizeTransfer(data: Record<string, unknown>, occurredAt: string): Record<string, unknown> {
  return { ...data, id: data['id'] ?? data['transferId'], createdAt: data['createdAt'] ?? occurredAt };
}
