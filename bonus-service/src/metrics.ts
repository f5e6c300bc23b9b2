import type { ClientSession } from 'mongodb';
import { Counter, createServiceMetricsCatalog, runAfterCommit, type Registry } from 'core-service';
import { BONUS_EVENTS } from './events/bonus-events.js';

const RESOLUTIONS: Record<string, 'converted' | 'expired' | 'cancelled'> = {
  [BONUS_EVENTS.converted]: 'converted',
  [BONUS_EVENTS.expired]: 'expired',
  [BONUS_EVENTS.cancelled]: 'cancelled',
};

/**
 * bonus-service's business metrics on its server's registry (`/metrics`): awards and their
 * ends by template type and currency, and the amounts, counted after the commit from the
 * events each change already writes (one increment, no extra round trip; an aborted attempt
 * counts nothing). Labels are the template type (a fixed list) and currency; never a user,
 * a template code or an amount. Amounts are minor units (cents), exact below 2^53 per series.
 */
export class BonusMetrics {
  readonly #awards: Counter<'type' | 'currency'>;
  readonly #awarded: Counter<'type' | 'currency'>;
  readonly #resolutions: Counter<'type' | 'currency' | 'status'>;
  readonly #converted: Counter<'type' | 'currency'>;

  constructor(registry: Registry) {
    this.#awards = new Counter({ name: 'bonus_awards_total', help: 'Bonuses awarded, by template type and currency', labelNames: ['type', 'currency'] as const, registers: [registry] });
    this.#awarded = new Counter({
      name: 'bonus_awarded_amount_minor_total',
      help: 'Sum of awarded bonus amounts by template type and currency, minor units',
      labelNames: ['type', 'currency'] as const,
      registers: [registry],
    });
    this.#resolutions = new Counter({
      name: 'bonus_resolutions_total',
      help: 'Awards ended, by template type, currency and status (converted to cash, expired, cancelled)',
      labelNames: ['type', 'currency', 'status'] as const,
      registers: [registry],
    });
    this.#converted = new Counter({
      name: 'bonus_converted_amount_minor_total',
      help: 'Sum of bonus amounts converted to cash, by template type and currency, minor units',
      labelNames: ['type', 'currency'] as const,
      registers: [registry],
    });
  }

  /** Called by the service's event emitter for every event it writes. */
  async observeEvent(type: string, data: Record<string, unknown>, session: ClientSession): Promise<void> {
    const resolution = RESOLUTIONS[type];
    if (type !== BONUS_EVENTS.awarded && resolution === undefined) return;
    const bonus = data['bonus'] as { type?: unknown; currency?: unknown; amount?: unknown } | undefined;
    if (typeof bonus?.type !== 'string' || typeof bonus.currency !== 'string') return;
    const labels = { type: bonus.type, currency: bonus.currency };
    const amount = typeof bonus.amount === 'number' ? bonus.amount : 0;
    await runAfterCommit(session, () => {
      if (resolution === undefined) {
        this.#awards.inc(labels);
        this.#awarded.inc(labels, amount);
        return;
      }
      this.#resolutions.inc({ ...labels, status: resolution });
      if (resolution === 'converted') this.#converted.inc(labels, amount);
    });
  }
}

/** Every metric bonus-service serves on `/metrics`, registered on idle sources (dashboards, alert rules). */
export function bonusMetricsCatalog(): Registry {
  return createServiceMetricsCatalog('bonus-service', (registry) => new BonusMetrics(registry));
}
