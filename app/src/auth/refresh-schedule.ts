/**
 * When to refresh an access token: after three quarters of its lifetime, and never later than
 * 30 s before it expires (a slow network or a sleeping laptop still leaves room), never before now.
 * Refreshing early costs one request; refreshing late costs a failed request and a live socket
 * that the gateway ends with TOKEN_EXPIRED.
 */
export const REFRESH_MARGIN_MS = 30_000;

export function refreshAt(issuedAtMs: number, expiresInSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  return issuedAtMs + Math.max(0, Math.min(lifetime * 0.75, lifetime - REFRESH_MARGIN_MS));
}

export function refreshDelay(issuedAtMs: number, expiresInSeconds: number, nowMs: number): number {
  return Math.max(0, refreshAt(issuedAtMs, expiresInSeconds) - nowMs);
}

/** Whether a token must be refreshed before it is used for a request now. */
export function needsRefresh(expiresAtMs: number, nowMs: number): boolean {
  return nowMs >= expiresAtMs - REFRESH_MARGIN_MS / 3;
}
