import type { IncomingMessage, ServerResponse } from 'node:http';

export interface CorsConfig {
  /** Exact origins allowed to call from a browser. Empty: no cross-origin access. */
  allowedOrigins: readonly string[];
}

/**
 * Helmet's defaults that matter for a JSON API, set by hand: helmet is Express middleware and
 * these are six constant headers on a node http server.
 */
export function setSecurityHeaders(res: ServerResponse, production: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
  res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  if (production) res.setHeader('strict-transport-security', 'max-age=31536000; includeSubDomains');
}

/**
 * CORS against an allow-list. Returns true when the request was a preflight and is answered.
 * Origins not on the list get no CORS headers at all, so the browser blocks the response.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, config: CorsConfig): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && config.allowedOrigins.includes(origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-expose-headers', 'x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, x-correlation-id');
  }
  if (req.method === 'OPTIONS') {
    if (allowed) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, last-event-id');
      res.setHeader('access-control-max-age', '600');
    }
    res.statusCode = 204;
    res.end();
    return true;
  }
  return false;
}
