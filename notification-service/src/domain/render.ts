import Handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';
import type { TemplateText } from './default-templates.js';

/**
 * Templates are Handlebars (logic-less enough for admins, with `{{#if}}` for the odd optional
 * part) in strict mode: a variable the data lacks is an error, never an empty gap in a message.
 * Only built-in helpers; admins cannot register code. HTML bodies escape every value, text
 * bodies (SMS, inbox, the plain part of an email) do not need to.
 */
const handlebars = Handlebars.create();
type Compiled = (context: Record<string, unknown>) => string;
const compiled = new LRUCache<string, Compiled>({ max: 2_000 });

function compile(source: string, escape: boolean): Compiled {
  const key = `${escape ? 'h' : 't'}\u0000${source}`;
  let template = compiled.get(key);
  if (template === undefined) {
    template = handlebars.compile(source, { strict: true, knownHelpersOnly: true, noEscape: !escape, preventIndent: true });
    compiled.set(key, template);
  }
  return template;
}

/** Thrown by rendering when the data lacks a variable the template uses. */
export class MissingVariableError extends Error {
  override readonly name = 'MissingVariableError';
  constructor(readonly variable: string) {
    super(`the template uses {{${variable}}}, which this notification does not provide`);
  }
}

/** Throws a readable Error when `source` is not a valid template. */
export function assertTemplateSyntax(source: string): void {
  handlebars.precompile(source, { strict: true, knownHelpersOnly: true });
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

export function renderTemplate(template: TemplateText, variables: Readonly<Record<string, unknown>>): RenderedMessage {
  try {
    const subject = template.subject === undefined ? '' : compile(template.subject, false)(variables);
    const text = compile(template.body, false)(variables);
    const html = htmlDocument(subject, compile(template.body, true)(variables));
    return { subject, text, html };
  } catch (error) {
    const missing = /"([^"]+)" not defined in/.exec(error instanceof Error ? error.message : '');
    if (missing?.[1] !== undefined) throw new MissingVariableError(missing[1]);
    throw error;
  }
}

/** The escaped body in a minimal document: paragraphs from blank lines, breaks from newlines. */
function htmlDocument(subject: string, escapedBody: string): string {
  const paragraphs = escapedBody
    .split(/\n{2,}/)
    .map((part) => `<p>${part.replaceAll('\n', '<br>')}</p>`)
    .join('\n');
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${Handlebars.escapeExpression(subject)}</title></head>\n<body>\n${paragraphs}\n</body></html>\n`;
}

/** Minor units to a money string in the reader's locale (`1250`, `EUR`, `de` → `12,50 €`). */
export function formatAmount(minor: number, currency: string, locale: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${minor} ${currency}`;
  }
}

/** The variables as templates see them: `amount` formatted in the locale when a currency is known. */
export function templateVariables(variables: Readonly<Record<string, unknown>>, locale: string): Record<string, unknown> {
  const amount = variables['amount'];
  const currency = variables['currency'];
  if (typeof amount === 'number' && typeof currency === 'string' && currency !== '') return { ...variables, amount: formatAmount(amount, currency, locale), amountMinor: amount };
  return { ...variables };
}
