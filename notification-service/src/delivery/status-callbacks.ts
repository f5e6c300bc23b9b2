import type { SubgraphRoute } from 'core-service';
import { getLogger } from 'core-service';
import type { NotificationDeps } from '../deps.js';
import { parseTwilioStatus, verifyTwilioStatusCallback } from '../providers/twilio-sms.js';

export const TWILIO_STATUS_PATH = '/providers/twilio/status';

/**
 * Twilio's delivery receipts (`StatusCallback`): verified with the library's signature check
 * against the public URL Twilio was given (`publicUrl`, the configured callback URL plus the
 * query it carries), then applied to the delivery: DELIVERED with its time, or FAILED with
 * Twilio's error code. Only moves forward (QUEUED/SENT → DELIVERED/FAILED), so a late `sent`
 * after `delivered` changes nothing. Answers 403 to anything unsigned.
 */
export function twilioStatusRoute(deps: NotificationDeps, options: { authToken: string; publicUrl: string }): SubgraphRoute {
  return async ({ req, url, body }) => {
    const params = Object.fromEntries(new URLSearchParams(body));
    const signature = req.headers['x-twilio-signature'];
    const signedUrl = `${options.publicUrl}${url.search}`;
    if (typeof signature !== 'string' || !verifyTwilioStatusCallback({ authToken: options.authToken, signature, url: signedUrl, params })) {
      getLogger('notification-service').warn({ path: url.pathname }, 'refused a Twilio status callback with a bad signature');
      return { status: 403, body: 'invalid signature' };
    }
    const status = parseTwilioStatus({ ...params, ...Object.fromEntries(url.searchParams) });
    if (status.status === 'SENT') return { status: 204 };
    const filter = status.deliveryId !== undefined ? { _id: status.deliveryId } : { providerMessageId: status.messageSid };
    const now = deps.now();
    await deps.store.deliveries.updateOne(
      { ...filter, channel: 'SMS', status: { $in: ['QUEUED', 'SENT'] } },
      // Final either way: an OTP's sealed code is no longer needed (the sender drops it too, but
      // a sender that died after the send would leave it).
      {
        $set: {
          providerMessageId: status.messageSid,
          sealed: null,
          ...(status.status === 'DELIVERED'
            ? { status: 'DELIVERED', deliveredAt: now }
            : { status: 'FAILED', lastError: `twilio: undelivered${status.errorCode !== undefined ? ` (${status.errorCode})` : ''}` }),
        },
      },
    );
    return { status: 204 };
  };
}
