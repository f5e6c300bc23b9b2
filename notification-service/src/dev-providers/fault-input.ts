import type { SmtpFault } from './smtp-sink.js';
import type { SmsFault } from './twilio-sink.js';

/** `POST /faults` as the sinks take it: a key left out keeps that sink's fault, `null` clears it. */
export interface FaultRequest {
  smtp?: SmtpFault | null;
  sms?: SmsFault | null;
}

const SMTP_REJECT_CODES = new Set([421, 450, 550, 553]);

/**
 * Checks a `POST /faults` body, so a typo answers 400 with the reason instead of a sink
 * behaving oddly. Only faults JSON can carry (not `hold`, which needs a promise).
 */
export function parseFaultRequest(body: unknown): FaultRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { smtp, sms } = body as Record<string, unknown>;
  const request: FaultRequest = {};
  if (smtp !== undefined) {
    if (smtp !== null && !isSmtpFault(smtp)) return 'smtp must be null, {"kind":"reject","code":421|450|550|553} or {"kind":"delay","ms":<ms>}';
    request.smtp = smtp;
  }
  if (sms !== undefined) {
    if (sms !== null && !isSmsFault(sms)) return 'sms must be null, {"status":400-599,"code"?:<int>,"message"?:<text>} or {"delayMs":<ms>}';
    request.sms = sms;
  }
  return request;
}

function isSmtpFault(value: unknown): value is SmtpFault {
  const fault = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) return false;
  if (fault['kind'] === 'reject') return SMTP_REJECT_CODES.has(fault['code'] as number);
  return fault['kind'] === 'delay' && isDelay(fault['ms']);
}

function isSmsFault(value: unknown): value is SmsFault {
  const fault = value as Record<string, unknown>;
  if (typeof value !== 'object' || value === null) return false;
  if ('delayMs' in fault) return isDelay(fault['delayMs']);
  const { status, code, message } = fault;
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599 && (code === undefined || Number.isInteger(code)) && (message === undefined || typeof message === 'string');
}

const isDelay = (ms: unknown): boolean => typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 && ms <= 600_000;
