import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphFetcher } from '../../src/gateway/subgraph-fetcher.js';

let server: Server;
let base: string;
const connections = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    connections.add(`${req.socket.remotePort}`);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.url === '/slow') return setTimeout(() => res.end('{}'), 2_000).unref();
      if (req.url === '/cut') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"data":');
        setTimeout(() => res.destroy(), 20);
        return;
      }
      res.writeHead(req.url === '/broken' ? 503 : 200, { 'content-type': 'application/json', 'X-Echo': req.headers['x-user-context'] ?? '' });
      res.end(JSON.stringify({ data: { received: JSON.parse(body), method: req.method }, note: 'é ✓' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('subgraph fetcher', () => {
  it('posts the body with the headers given and reads status, headers and JSON back, over one kept-alive connection', async () => {
    const fetcher = createSubgraphFetcher({ timeoutMs: 1_000 });
    connections.clear();
    for (let i = 0; i < 3; i++) {
      const response = await fetcher(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-user-context': 'signed' }, body: JSON.stringify({ query: '{ a }' }) });
      expect(response).toMatchObject({ ok: true, status: 200, url: `${base}/graphql` });
      expect(response.headers.get('Content-Type')).toBe('application/json');
      expect(response.headers.get('x-echo')).toBe('signed');
      expect(await response.json()).toEqual({ data: { received: { query: '{ a }' }, method: 'POST' }, note: 'é ✓' });
      expect(response.bodyUsed).toBe(true);
    }
    expect(connections.size).toBe(1);
  });

  it('reports an HTTP error status as not ok, with its body readable as text', async () => {
    const response = await createSubgraphFetcher({ timeoutMs: 1_000 })(`${base}/broken`, { method: 'POST', body: '{}' });
    expect(response).toMatchObject({ ok: false, status: 503, statusText: 'Service Unavailable' });
    expect(await response.text()).toContain('"method":"POST"');
  });

  it('fails a request the subgraph leaves unanswered past the timeout', async () => {
    const started = Date.now();
    await expect(createSubgraphFetcher({ timeoutMs: 100 })(`${base}/slow`, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('fails, never answers with a truncated body, when the connection drops mid-answer', async () => {
    await expect(createSubgraphFetcher({ timeoutMs: 1_000 })(`${base}/cut`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('fails when nothing listens', async () => {
    await expect(createSubgraphFetcher({ timeoutMs: 1_000 })('http://127.0.0.1:9/graphql', { method: 'POST', body: '{}' })).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('subgraph fetcher keep-alive', () => {
  it('closes an idle connection itself, well before the server’s advertised keep-alive timeout, rather than race the server’s close', async () => {
    // The server advertises 3 s; the fetcher keeps a 2 s margin, so it closes after about 1 s.
    const idle = createServer((_req, res) => res.end('{}'));
    idle.keepAliveTimeout = 3_000;
    const closed = new Promise<{ byServer: boolean }>((resolve) =>
      idle.once('connection', (socket) => {
        let byServer = false;
        socket.once('timeout', () => (byServer = true));
        socket.once('close', () => resolve({ byServer }));
      }),
    );
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    try {
      const fetcher = createSubgraphFetcher({ timeoutMs: 1_000 });
      const response = await fetcher(`http://127.0.0.1:${(idle.address() as AddressInfo).port}/graphql`, { method: 'POST', body: '{}' });
      expect(response.headers.get('keep-alive')).toBe('timeout=3');
      expect(await closed).toEqual({ byServer: false });
    } finally {
      idle.closeAllConnections();
      idle.close();
    }
  });
});
