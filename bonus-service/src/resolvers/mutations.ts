import { randomUUID } from 'node:crypto';
import { CORE_ERRORS, WALLET_ERRORS, WalletError, createServiceError, isValidIdempotencyKey, withTransaction } from 'core-service';
import { awardBonus } from '../awards/award-bonus.js';
import { resolveBonus } from '../awards/resolve-bonus.js';
import { BONUS_ERRORS, BonusError } from '../domain/errors.js';
import { BONUS_PERMISSIONS } from '../domain/permissions.js';
import { isSystemAccount } from '../domain/system-accounts.js';
import { normalizeTemplateInput, type BonusTemplate, type BonusTemplateInput } from '../domain/template.js';
import type { UserBonus } from '../domain/user-bonus.js';
import { requireCallerTenant } from 'core-service/access';
import type { BonusContext } from './context.js';

function checkIdempotencyKey(key: string): void {
  if (!isValidIdempotencyKey(key)) throw new WalletError(WALLET_ERRORS.InvalidIdempotencyKey, 'idempotencyKey must be 8 to 128 characters of letters, digits, . _ : -');
}

export const mutationResolvers = {
  upsertBonusTemplate: async (_: unknown, { input }: { input: BonusTemplateInput }, ctx: BonusContext): Promise<BonusTemplate> => {
    const { tenantId } = requireCallerTenant(ctx, BONUS_PERMISSIONS.manageTemplates);
    const checked = normalizeTemplateInput(input);
    if (!checked.ok) {
      throw createServiceError(BONUS_ERRORS.InvalidTemplate, checked.problems.map((p) => `${p.field}: ${p.message}`).join('; '), { fields: checked.problems.map((p) => p.field) });
    }
    const now = new Date();
    const id = randomUUID();
    const { store, audit, client } = ctx.bonus;
    // The edit and its audit entry (before and after) commit together or not at all.
    return withTransaction({
      client,
      fn: async (session) => {
        const before = await store.templates.findOne({ tenantId, code: checked.value.code }, { session });
        const template = await store.templates.findOneAndUpdate(
          { tenantId, code: checked.value.code },
          { $set: { ...checked.value, updatedAt: now }, $setOnInsert: { _id: id, id, tenantId, budgetSpent: 0, createdAt: now } },
          { upsert: true, returnDocument: 'after', session },
        );
        if (template === null) throw new Error('template upsert returned no document');
        const { _id: _before, ...beforeFields } = before ?? ({} as Partial<BonusTemplate> & { _id?: unknown });
        const { _id: _after, ...afterFields } = template as BonusTemplate & { _id?: unknown };
        await audit.record(
          {
            tenantId,
            category: 'admin',
            action: before === null ? 'bonus_template.created' : 'bonus_template.updated',
            resource: { type: 'bonus_template', id: template.code },
            before: before === null ? null : beforeFields,
            after: afterFields,
          },
          { session },
        );
        return template;
      },
    });
  },

  claimBonus: async (_: unknown, args: { templateCode: string; idempotencyKey: string }, ctx: BonusContext): Promise<UserBonus> => {
    const { userId, tenantId } = requireCallerTenant(ctx, BONUS_PERMISSIONS.claim, ctx.user?.id);
    checkIdempotencyKey(args.idempotencyKey);
    return awardBonus(ctx.bonus, {
      tenantId,
      userId,
      channel: 'claim',
      templateCode: args.templateCode,
      requestKey: `claim:${userId}:${args.idempotencyKey}`,
      trigger: { kind: 'claim', id: userId },
    });
  },

  awardBonus: async (_: unknown, args: { userId: string; templateCode: string; idempotencyKey: string }, ctx: BonusContext): Promise<UserBonus> => {
    const { userId: adminId, tenantId } = requireCallerTenant(ctx, BONUS_PERMISSIONS.award, args.userId);
    checkIdempotencyKey(args.idempotencyKey);
    if (isSystemAccount(args.userId)) throw createServiceError(CORE_ERRORS.BadUserInput, 'userId must be a user', { fields: ['userId'] });
    return awardBonus(ctx.bonus, {
      tenantId,
      userId: args.userId,
      channel: 'admin',
      templateCode: args.templateCode,
      requestKey: `admin:${adminId}:${args.idempotencyKey}`,
      trigger: { kind: 'admin', id: adminId },
    });
  },

  /** Idempotent: cancelling a cancelled award answers with it; a converted or expired one is refused. */
  cancelBonus: async (_: unknown, args: { id: string; reason: string }, ctx: BonusContext): Promise<UserBonus> => {
    const { tenantId } = requireCallerTenant(ctx, BONUS_PERMISSIONS.cancel);
    const reason = args.reason.trim();
    if (reason.length === 0 || reason.length > 500) throw createServiceError(CORE_ERRORS.BadUserInput, 'reason must be 1 to 500 characters', { fields: ['reason'] });
    const { bonus } = await withTransaction({
      client: ctx.bonus.client,
      fn: (session) => resolveBonus(ctx.bonus, session, { tenantId, bonusId: args.id }, 'CANCELLED', { reason }),
    });
    if (bonus === null) throw new BonusError({ code: BONUS_ERRORS.BonusNotFound, message: 'No such bonus' });
    if (bonus.status !== 'CANCELLED') throw new BonusError({ code: BONUS_ERRORS.BonusNotActive, message: `The bonus is already ${bonus.status.toLowerCase()}` });
    return bonus;
  },
};
