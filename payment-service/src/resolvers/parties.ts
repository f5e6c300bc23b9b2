import { setTimeout as delay } from 'node:timers/promises';
import { createServiceError, idempotencyFilter, type IdempotencyScope } from 'core-service';
import { PAYMENT_ERRORS } from '../domain/errors.js';
import { refuseRecipient, refuseSender, type ProjectedUser } from '../domain/user-projection.js';
import type { PaymentContext } from './context.js';

/**
 * A user registered a moment ago is known to auth-service before payment-service has applied
 * its `user.registered`. A miss is therefore looked up again for up to `unknownUserGraceMs`
 * (default 1 s, a generous bound on event delivery) before it is refused, so "register, then
 * get paid" works without the client retrying. Polling rather than waiting on the projection
 * handler: the event may be applied by another instance of the service. Past the window the
 * refusal is `MSPaymentRecipientNotFound` with `extensions.retryable: true`.
 */
async function projectedUser(ctx: PaymentContext, userId: string, known?: ProjectedUser): Promise<ProjectedUser | null> {
  if (known !== undefined) return known;
  const { projection, unknownUserGraceMs } = ctx.payment;
  const deadline = Date.now() + unknownUserGraceMs;
  let pause = 25;
  for (;;) {
    const user = await projection.find(userId);
    if (user !== null || Date.now() + pause > deadline) return user;
    await delay(pause);
    pause = Math.min(pause * 2, 250);
  }
}

/** `known`: the user as already read (found), so only a miss costs another read. */
export async function requireRecipient(ctx: PaymentContext, tenantId: string, userId: string, field: string, known?: ProjectedUser): Promise<void> {
  const refusal = refuseRecipient(await projectedUser(ctx, userId, known), tenantId);
  if (refusal === 'not_found') {
    throw createServiceError(PAYMENT_ERRORS.RecipientNotFound, 'No such user in this tenant', { fields: [field], retryable: true });
  }
  if (refusal === 'inactive') throw createServiceError(PAYMENT_ERRORS.RecipientInactive, 'The recipient cannot receive money', { fields: [field] });
}

export async function requireSender(ctx: PaymentContext, tenantId: string, userId: string, known?: ProjectedUser): Promise<void> {
  const refusal = refuseSender(await projectedUser(ctx, userId, known), tenantId);
  if (refusal !== null) {
    throw createServiceError(PAYMENT_ERRORS.SenderInactive, 'This account cannot send money', { retryable: refusal === 'not_found' });
  }
}

/** Both parties of a user's transfer, read together (one round trip); sender refusals first. */
export async function requireTransferParties(ctx: PaymentContext, tenantId: string, senderId: string, recipientId: string, recipientField: string): Promise<void> {
  const known = await ctx.payment.projection.findMany([senderId, recipientId]);
  await requireSender(ctx, tenantId, senderId, known.get(senderId));
  await requireRecipient(ctx, tenantId, recipientId, recipientField, known.get(recipientId));
}

/**
 * Runs the party checks of a new movement; when they refuse, asks whether the key already
 * produced a movement, which is then answered as before (the first result) whatever the parties'
 * status now. The happy path pays no idempotency lookup here: the transfer helper's unique index
 * decides replays.
 */
export async function requirePartiesUnlessReplay(ctx: PaymentContext, scope: IdempotencyScope, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (refusal) {
    if (!(await isReplay(ctx, scope))) throw refusal;
  }
}

/**
 * Whether this idempotency key already produced a transfer. A replay returns the first result
 * even when a party's status changed since, so the parties are checked for new requests only
 * (the wallet helper still refuses a key reused with other input).
 */
export async function isReplay(ctx: PaymentContext, scope: IdempotencyScope): Promise<boolean> {
  return (await ctx.payment.store.transfers.findOne(idempotencyFilter(scope), { projection: { _id: 1 } })) !== null;
}
