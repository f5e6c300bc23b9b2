/**
 * A TCP proxy in front of the server that can swallow the server's reply to one chosen command
 * and cut that client connection instead, the way a network failure after the server has acted
 * looks to a driver. Used to check that retried writes and commits are applied at most once.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface ReplyDroppingProxy {
  /** `mongodb://127.0.0.1:<proxy port>/?directConnection=true` */
  readonly uri: string;
  /** The next request whose bytes contain `commandName` gets no reply: its connection is cut. */
  dropReplyTo(commandName: string): void;
  /** How many replies were swallowed so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/** Splits a byte stream into wire-protocol frames (int32 little-endian length prefix). */
function frameReader(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readInt32LE(0);
      if (length < 16 || buffered.length < length) return;
      onFrame(buffered.subarray(0, length));
      buffered = buffered.subarray(length);
    }
  };
}

export async function startReplyDroppingProxy(upstreamHost: string, upstreamPort: number): Promise<ReplyDroppingProxy> {
  let armedFor: Buffer | undefined;
  let dropped = 0;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = connect({ host: upstreamHost, port: upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    let dropNextReply = false;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', cut);
    upstream.on('close', cut);
    client.on(
      'data',
      frameReader((frame) => {
        if (armedFor && frame.includes(armedFor)) {
          armedFor = undefined;
          dropNextReply = true;
        }
        upstream.write(frame);
      }),
    );
    upstream.on(
      'data',
      frameReader((frame) => {
        if (dropNextReply) {
          dropNextReply = false;
          dropped += 1;
          cut();
          return;
        }
        client.write(frame);
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    dropReplyTo(commandName: string) {
      armedFor = Buffer.from(commandName, 'utf8');
    },
    get dropped() {
      return dropped;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
