import { getLogger } from 'core-service';
import type { Channel } from '../domain/channels.js';
import type { NotificationType } from '../domain/catalog.js';
import { builtInTemplate, type TemplateText } from '../domain/default-templates.js';
import { MissingVariableError, renderTemplate, templateVariables, type RenderedMessage } from '../domain/render.js';
import type { NotificationStore } from '../store/notification-store.js';

/** PUSH shows the inbox text; the other channels have their own. */
const templateChannel = (channel: Channel): Channel => (channel === 'PUSH' ? 'IN_APP' : channel);

/** `de-AT` → [`de-AT`, `de`, `en`]: the reader's locale, its language, then English. */
export function localeChain(locale: string): string[] {
  const language = locale.split('-')[0] ?? locale;
  return [...new Set([locale, language, 'en'])];
}

interface Candidate {
  text: TemplateText;
  source: 'tenant' | 'default';
  locale: string;
}

/**
 * The templates that could render a message, best first: per locale of the chain, the tenant's
 * own, then the built-in one.
 */
export async function templateCandidates(store: NotificationStore, tenantId: string, type: NotificationType, channel: Channel, locale: string): Promise<Candidate[]> {
  const wanted = templateChannel(channel);
  const candidates: Candidate[] = [];
  const stored = await store.templates.find({ tenantId, type, channel: wanted, locale: { $in: localeChain(locale) } }).toArray();
  for (const step of localeChain(locale)) {
    const own = stored.find((template) => template.locale === step);
    if (own !== undefined) candidates.push({ text: { ...(own.subject !== null ? { subject: own.subject } : {}), body: own.body }, source: 'tenant', locale: step });
    const builtIn = builtInTemplate(type, wanted, step);
    if (builtIn !== undefined) candidates.push({ text: builtIn, source: 'default', locale: step });
  }
  return candidates;
}

/**
 * Renders a user's message. A tenant template that cannot render this notification (it names a
 * variable the type does not provide) falls back to the next candidate and is logged: a
 * template mistake costs the tenant its wording, never the user the message. Test sends call
 * `renderTemplate` on the chosen template directly and fail instead.
 */
export async function renderForDelivery(
  store: NotificationStore,
  tenantId: string,
  type: NotificationType,
  channel: Channel,
  locale: string,
  variables: Record<string, unknown>,
): Promise<RenderedMessage> {
  const candidates = await templateCandidates(store, tenantId, type, channel, locale);
  let lastError: unknown = new Error(`no template for ${type} on ${channel}`);
  for (const candidate of candidates) {
    try {
      return renderTemplate(candidate.text, templateVariables(variables, locale));
    } catch (error) {
      lastError = error;
      if (!(error instanceof MissingVariableError)) throw error;
      getLogger('notification-service').warn(
        { tenantId, type, channel, locale: candidate.locale, source: candidate.source, variable: error.variable },
        'template cannot render this notification; using the next one',
      );
    }
  }
  throw lastError;
}
