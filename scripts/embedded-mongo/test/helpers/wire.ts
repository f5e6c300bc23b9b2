/**
 * Raw wire-protocol frames for tests that must send what no driver would: malformed headers,
 * garbage opcodes, truncated bodies. Only the little that the tests need; replies are decoded
 * with the official bson package.
 */
import { connect, type Socket } from 'node:net';
import { deserialize, serialize, type Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

let nextRequestId = 1;

/** A 16-byte message header followed by `body`; `declaredLength` overrides the real length. */
export function frame(opCode: number, body: Buffer, declaredLength?: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32LE(declaredLength ?? 16 + body.length, 0);
  header.writeInt32LE(nextRequestId++, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, body]);
}

/** An OP_MSG with flags 0 and one kind-0 section holding `command` (or its ready-made BSON bytes). */
export function opMsg(command: Document | undefined, commandBytes?: Buffer): Buffer {
  const body = commandBytes ?? Buffer.from(serialize(command ?? {}));
  return frame(OP_MSG, Buffer.concat([Buffer.alloc(4), Buffer.from([0]), body]));
}

export type Outcome = { kind: 'reply'; opCode: number; doc: Document } | { kind: 'closed' };

/**
 * A raw connection that yields one outcome per call of `next()`: the next decoded reply, or
 * `closed` when the server closed the connection.
 */
export class RawConnection {
  private buffered = Buffer.alloc(0);
  private closed = false;
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {
      // ECONNRESET and friends count as the server closing the connection.
      this.closed = true;
      this.wake();
    });
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Ends our half of the connection: a server waiting for the rest of a frame sees EOF. */
  endInput(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The next reply or the close, failing after `timeoutMs` (the server must not leave us hanging). */
  async next(timeoutMs = 5_000): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.takeReply();
      if (reply) return reply;
      if (this.closed) return { kind: 'closed' };
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no reply and no close within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private takeReply(): Outcome | undefined {
    if (this.buffered.length < 16) return undefined;
    const length = this.buffered.readInt32LE(0);
    if (this.buffered.length < length) return undefined;
    const message = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_MSG) {
      // flagBits (4), then section kind 0 and its document
      return { kind: 'reply', opCode, doc: deserialize(message.subarray(21)) };
    }
    if (opCode === OP_REPLY) {
      // responseFlags (4), cursorID (8), startingFrom (4), numberReturned (4), documents
      return { kind: 'reply', opCode, doc: deserialize(message.subarray(36)) };
    }
    throw new Error(`unexpected reply opCode ${opCode}`);
  }
}
