import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';

export interface SubgraphFetcherOptions {
  /** A subgraph request unanswered after this long fails. */
  timeoutMs: number;
  /** Open connections kept per subgraph host. Default 128. */
  maxSockets?: number;
}

/**
 * An idle connection is closed by us this long before the subgraph's advertised keep-alive
 * timeout (`Keep-Alive: timeout=N`), and after a minute at most.
 *
 * Why: a request sent on a connection the server is closing as idle fails with ECONNRESET
 * ("socket hang up"), and a mutation cannot be resent blindly. Node's agent retires a connection
 * by the server's hint only when a `timeout` is set: without one it reuses it until it reads the
 * server's FIN, so a gateway whose event loop was held up (a loaded host) sent on connections the
 * subgraph had just closed. Subgraphs advertise 30 s (createSubgraphServer), so a connection
 * lives 28 s idle; a server on Node's default of 5 s still gets reuse, for 3 s. A larger margin
 * would turn keep-alive off for such servers (Node keeps no connection whose hint is within it).
 */
const KEEP_ALIVE_MARGIN_MS = 2_000;
const MAX_IDLE_MS = 60_000;

/**
 * The fetcher the gateway's data sources send subgraph requests with: node:http(s) on a
 * keep-alive agent, the whole answer buffered (a subgraph answer is one JSON document).
 *
 * Why not a fetch: on Node 20, the built-in fetch (undici) spent about 0.7-1 ms of CPU per
 * subgraph call in WHATWG streams and request objects, the largest single item in the
 * gateway's profile, against ~0.1 ms for http.request and ~0.25 ms for Apollo's default
 * node-fetch (gateway/bench, README "Benchmarks"). The undici package's own `request` would do
 * as well but is not a dependency; this needs nothing beyond node:http. Only what
 * RemoteGraphQLDataSource uses is implemented: no redirects (a subgraph does not redirect), no
 * compression (none is asked for), no streaming.
 */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): Fetcher {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 128, timeout: MAX_IDLE_MS, agentKeepAliveTimeoutBuffer: KEEP_ALIVE_MARGIN_MS };
  const agents = { http: new Agent(agentOptions), https: new HttpsAgent(agentOptions) };
  return (url: string, init: FetcherRequestInit = {}) =>
    new Promise<FetcherResponse>((resolve, reject) => {
      const secure = url.startsWith('https:');
      const body = init.body ?? '';
      const send = secure ? httpsRequest : request;
      const outgoing = send(url, {
        method: init.method ?? 'GET',
        headers: { ...init.headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: secure ? agents.https : agents.http,
        signal: (init.signal as AbortSignal | undefined) ?? AbortSignal.timeout(options.timeoutMs),
      });
      outgoing.once('error', reject);
      outgoing.once('response', (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.once('error', reject);
        // Cut off mid-body (the subgraph died, the timeout fired): never a truncated answer.
        incoming.once('close', () => {
          if (!incoming.complete) reject(new Error(`the subgraph's answer from ${url} was cut off`));
        });
        incoming.once('end', () => {
          const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
          resolve(bufferedResponse(url, incoming.statusCode ?? 0, incoming.statusMessage ?? '', incoming.headers, text));
        });
      });
      outgoing.end(body);
    });
}

function bufferedResponse(url: string, status: number, statusText: string, raw: IncomingHttpHeaders, text: string): FetcherResponse {
  const headers = responseHeaders(raw);
  let bodyUsed = false;
  const read = (): string => {
    bodyUsed = true;
    return text;
  };
  const response: FetcherResponse = {
    get bodyUsed() {
      return bodyUsed;
    },
    url,
    redirected: false,
    status,
    ok: status >= 200 && status < 300,
    statusText,
    headers,
    text: async () => read(),
    json: async () => JSON.parse(read()) as unknown,
    arrayBuffer: async () => {
      const bytes = Buffer.from(read(), 'utf8');
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
    clone: () => bufferedResponse(url, status, statusText, raw, text),
  };
  return response;
}

function responseHeaders(raw: IncomingHttpHeaders): FetcherHeaders {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) map.set(name, Array.isArray(value) ? value.join(', ') : value);
  return {
    get: (name) => map.get(name.toLowerCase()) ?? null,
    has: (name) => map.has(name.toLowerCase()),
    set: (name, value) => void map.set(name.toLowerCase(), value),
    append: (name, value) => {
      const key = name.toLowerCase();
      const current = map.get(key);
      map.set(key, current === undefined ? value : `${current}, ${value}`);
    },
    delete: (name) => void map.delete(name.toLowerCase()),
    entries: () => map.entries(),
    keys: () => map.keys(),
    values: () => map.values(),
    [Symbol.iterator]: () => map.entries(),
  };
}
