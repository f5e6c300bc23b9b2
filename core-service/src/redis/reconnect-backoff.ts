/**
 * Delay before reconnect attempt `attempt` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random). Jitter spreads the reconnect storm of many instances after a Redis
 * restart; the fixed half keeps a client from spinning on a dead server.
 */
export function computeReconnectDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt - 1, 20));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
