import { createServer, type Server } from 'node:http';

/**
 * A stand-in trace collector for the e2e platform: every process exports its spans here
 * (OTLP/JSON over HTTP, `POST /v1/traces`), and a test reads one trace back with
 * `GET /traces/<traceId>`. Spans are kept per trace, the oldest traces dropped past a bound, so a
 * long run does not grow without limit.
 */

export interface RecordedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[] }> }>;
  }>;
}

const MAX_TRACES = 5_000;

function attributeMap(attributes: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue]));
}

export interface OtlpRecorder {
  /** Where processes export to (`OTEL_EXPORTER_OTLP_ENDPOINT`) and tests read from. */
  url: string;
  close(): Promise<void>;
}

export function startOtlpRecorder(): Promise<OtlpRecorder> {
  const traces = new Map<string, RecordedSpan[]>();
  const record = (span: RecordedSpan): void => {
    const spans = traces.get(span.traceId);
    if (spans !== undefined) return void spans.push(span);
    traces.set(span.traceId, [span]);
    if (traces.size > MAX_TRACES) traces.delete(traces.keys().next().value as string);
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const traceRead = /^\/traces\/([0-9a-f]{32})$/.exec(req.url ?? '');
      if (req.method === 'GET' && traceRead) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(traces.get(traceRead[1]!) ?? []));
        return;
      }
      if (req.method === 'POST' && req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const payload = JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport;
        for (const resourceSpans of payload.resourceSpans ?? []) {
          const service = String(attributeMap(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              record({ service, name: span.name, kind: span.kind, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', attributes: attributeMap(span.attributes) });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(404).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
