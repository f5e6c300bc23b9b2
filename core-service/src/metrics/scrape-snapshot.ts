import { Counter, type CounterConfiguration } from 'prom-client';

/**
 * One read shared by every gauge of a scrape. prom-client calls each metric's `collect()` side
 * by side when `/metrics` is served, so several gauges fed by one source (the event bus's
 * XINFO + outbox count) ask within the same moment: the first call reads, the others within
 * `maxAgeMs` share its promise. A failed read is not kept.
 */
export function perScrape<T>(read: () => Promise<T>, maxAgeMs = 500): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last !== undefined && now - last.at <= maxAgeMs) return last.value;
    const current = { at: now, value: read() };
    last = current;
    current.value.catch(() => {
      if (last === current) last = undefined;
    });
    return current.value;
  };
}

/**
 * A prom-client Counter fed from a source that keeps its own running totals (the cache's hit
 * counters, the pool's timeouts): each scrape adds what each total grew by since the last one,
 * so the hot path keeps its plain `+= 1` and Prometheus still sees a counter. A total that went
 * down (its source was recreated) starts a new baseline.
 */
export function counterFromTotals<L extends string>(config: Omit<CounterConfiguration<L>, 'collect'>, totals: () => Iterable<readonly [Partial<Record<L, string>>, number]>): Counter<L> {
  const seen = new Map<string, number>();
  return new Counter<L>({
    ...config,
    collect() {
      for (const [labels, total] of totals()) {
        const key = JSON.stringify(labels);
        const previous = seen.get(key) ?? 0;
        seen.set(key, total);
        // inc(…, 0) still creates the series: a fresh source shows 0 rather than nothing.
        this.inc(labels, total >= previous ? total - previous : total);
      }
    },
  });
}
