import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  /** Raw body exactly as received: what a receiver verifies the signature against. */
  body: string;
  receivedAt: number;
}

export interface RecordingReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Status the receiver answers with (changeable mid-test). */
  status: number;
}

/** A local HTTP endpoint that records every webhook request it gets. */
export async function startRecordingReceiver(status = 200): Promise<RecordingReceiver> {
  const receiver: RecordingReceiver = { url: '', requests: [], status };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      response.writeHead(receiver.status, { 'content-type': 'text/plain' });
      response.end(receiver.status < 300 ? 'ok' : `receiver failure ${'x'.repeat(2_000)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return receiver;
}
