import type { Collection, Db, ObjectId } from 'mongodb';

/** One HTTP attempt, successful or not. */
export interface WebhookDeliveryRecord {
  webhookId: ObjectId;
  tenantId: string;
  eventId: string;
  eventType: string;
  /** 1-based attempt number of this delivery. */
  attempt: number;
  status: 'succeeded' | 'failed';
  httpStatus?: number;
  latencyMs: number;
  /** First bytes of the response body, for diagnosing a receiver without storing whole pages. */
  responseSnippet?: string;
  error?: string;
  createdAt: Date;
}

export const WEBHOOK_DELIVERIES_COLLECTION = 'webhook_deliveries';
export const RESPONSE_SNIPPET_LIMIT = 512;

export function webhookDeliveriesCollection(db: Db): Collection<WebhookDeliveryRecord> {
  return db.collection<WebhookDeliveryRecord>(WEBHOOK_DELIVERIES_COLLECTION);
}

/** Reads at most `limit` characters of a response body, then stops downloading it. */
export async function readResponseSnippet(response: Response, limit = RESPONSE_SNIPPET_LIMIT): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
