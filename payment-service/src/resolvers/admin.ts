import { CORE_ERRORS, WalletError, checkCurrency, createServiceError, type WebhookEndpoint } from 'core-service';
import { requireCallerTenant } from 'core-service/access';
import { PAYMENT_PERMISSIONS } from '../domain/permissions.js';
import { isWebhookEvent } from '../events/webhook-events.js';
import type { ReconciliationReport } from '../reconciliation/reconciliation-job.js';
import type { PaymentContext } from './context.js';

function checkedCurrency(currency: string): string {
  const error = checkCurrency(currency);
  if (error !== null) throw new WalletError(error, `Unsupported currency ${currency}`);
  return currency;
}

/** Event names or patterns a tenant may subscribe to: the money events only. */
function checkWebhookEvents(events: string[]): string[] {
  const isAllowed = (pattern: string): boolean => isWebhookEvent(pattern) || ['transfer.*', 'deposit.*', 'withdrawal.*'].includes(pattern);
  const refused = events.filter((event) => !isAllowed(event));
  if (events.length === 0 || refused.length > 0) {
    throw createServiceError(CORE_ERRORS.BadUserInput, `Unknown webhook events: ${refused.join(', ') || '(none given)'}`, { fields: ['events'] });
  }
  return events;
}

export const adminQueryResolvers = {
  reconciliationReport: async (_: unknown, args: { currency: string }, ctx: PaymentContext): Promise<ReconciliationReport | null> => {
    const { tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.readReconciliation);
    return ctx.payment.reconciliation.latest(tenantId, checkedCurrency(args.currency));
  },
  webhooks: async (_: unknown, __: unknown, ctx: PaymentContext): Promise<WebhookEndpoint[]> => {
    const { tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.manageWebhooks);
    return ctx.payment.webhooks.list(tenantId);
  },
};

export const adminMutationResolvers = {
  runReconciliation: async (_: unknown, args: { currency: string }, ctx: PaymentContext): Promise<ReconciliationReport> => {
    const { tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.readReconciliation);
    return ctx.payment.reconciliation.reconcile(tenantId, checkedCurrency(args.currency));
  },
  registerWebhook: async (_: unknown, { input }: { input: { url: string; events: string[]; description?: string | null } }, ctx: PaymentContext): Promise<WebhookEndpoint> => {
    const { tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.manageWebhooks);
    const events = checkWebhookEvents(input.events);
    try {
      return await ctx.payment.webhooks.register({ tenantId, url: input.url, events, ...(input.description != null ? { description: input.description } : {}) });
    } catch (error) {
      // The manager refuses malformed and internal-network URLs with plain errors.
      if (error instanceof TypeError || (error instanceof Error && error.name === 'WebhookDestinationError')) {
        throw createServiceError(CORE_ERRORS.BadUserInput, error.message, { fields: ['url'] });
      }
      throw error;
    }
  },
  deleteWebhook: async (_: unknown, args: { id: string }, ctx: PaymentContext): Promise<boolean> => {
    const { tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.manageWebhooks);
    // Not an id the manager could have issued: nothing of the tenant's to delete.
    if (!/^[0-9a-f]{24}$/i.test(args.id)) return false;
    return ctx.payment.webhooks.delete(tenantId, args.id);
  },
};
