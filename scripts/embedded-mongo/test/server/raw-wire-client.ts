/**
 * A bare TCP client speaking OP_MSG, for what the driver will not do on purpose: repeat a
 * retryable write with the same (lsid, txnNumber), or send malformed frames.
 */
import { connect, type Socket } from 'node:net';
import { BSON, type Document } from 'bson';

export class RawWireClient {
  private buffer = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void)[] = [];
  private requestId = 1;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const length = this.buffer.readInt32LE(0);
        const frame = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        this.waiting.shift()?.(frame);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(port: number): Promise<RawWireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawWireClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a command as OP_MSG and returns the decoded reply body. */
  async command(body: Document): Promise<Document> {
    const frame = await this.sendRaw(encodeOpMsg(this.requestId++, body));
    return BSON.deserialize(frame.subarray(21));
  }

  /** Sends bytes as they are and resolves with the next frame the server sends back. */
  sendRaw(bytes: Buffer): Promise<Buffer> {
    const reply = new Promise<Buffer>((resolve) => this.waiting.push(resolve));
    this.socket.write(bytes);
    return reply;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function encodeOpMsg(requestId: number, body: Document): Buffer {
  const bson = BSON.serialize(body);
  const out = Buffer.alloc(21 + bson.length);
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(requestId, 4);
  out.writeInt32LE(0, 8);
  out.writeInt32LE(2013, 12);
  out.writeUInt32LE(0, 16);
  out.writeUInt8(0, 20);
  out.set(bson, 21);
  return out;
}
