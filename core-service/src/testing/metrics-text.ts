/** One sample of a Prometheus text exposition. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses `/metrics` text (samples only; HELP and TYPE lines skipped). Enough for tests that
 * compare scrapes; not a full exposition-format parser (no timestamps, no exemplars).
 */
export function parseMetricsText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value: Number(match[3]!.toLowerCase() === 'nan' ? Number.NaN : match[3]) });
  }
  return samples;
}

/**
 * The sum of the samples of `name` whose labels include `labels` (0 when none): a counter's
 * total over the label values the caller did not pin.
 */
export function metricValue(samples: readonly MetricSample[], name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) total += sample.value;
  }
  return total;
}

/** GETs `/metrics` of the server at `url` (any path of it) and parses it. */
export async function scrapeMetrics(url: string): Promise<MetricSample[]> {
  const response = await fetch(new URL('/metrics', url));
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return parseMetricsText(await response.text());
}
