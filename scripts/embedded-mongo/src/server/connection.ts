import type { Socket } from 'node:net';
import type { Document } from 'bson';
import { ErrorCode } from '../errors.js';
import { CLOSE_CONNECTION, dispatchCommand } from './command-dispatcher.js';
import type { ServerState } from './server-state.js';
import { encodeOpMsg, encodeOpReply, HEADER_SIZE, MAX_MESSAGE_SIZE, MSG_MORE_TO_COME, parseMessage, ProtocolError, readHeader, type Request } from './wire-protocol.js';

/**
 * One client connection: reassembles frames from the byte stream and answers them in order.
 * A frame with an impossible length cannot be skipped (the stream has lost its framing), so the
 * connection is closed; a frame that is merely unreadable gets an error reply. Either way only
 * this connection is affected.
 */
export class Connection {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly state: ServerState,
    readonly id: number,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => {
      this.closed = true;
      state.appNames.delete(id);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (this.pendingBytes >= 4 && !this.closed) {
      if (this.pending[0]!.length < 4) this.pending = [Buffer.concat(this.pending)];
      const length = this.pending[0]!.readInt32LE(0);
      if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
        this.close();
        return;
      }
      if (this.pendingBytes < length) return;
      const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      const frame = all.subarray(0, length);
      const rest = all.subarray(length);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      // handle() answers every failure itself; the catch only guards the chain against a bug.
      this.queue = this.queue.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const header = readHeader(frame);
    let request: Request;
    try {
      request = parseMessage(frame);
    } catch (error) {
      const message = error instanceof ProtocolError ? error.message : String(error);
      this.send(encodeOpMsg(header.requestId, { ok: 0, errmsg: message, code: ErrorCode.ProtocolError, codeName: 'ProtocolError' }));
      return;
    }
    try {
      if (request.kind === 'query') {
        const db = request.fullCollectionName.endsWith('.$cmd') ? request.fullCollectionName.slice(0, -5) : request.fullCollectionName;
        const body = (request.query.$query as Document | undefined) ?? request.query;
        const reply = await dispatchCommand(this.state, this.id, db, body, new Map());
        if (reply === CLOSE_CONNECTION) return this.close();
        this.send(encodeOpReply(header.requestId, reply));
        return;
      }
      const db = request.body.$db;
      const reply =
        typeof db === 'string'
          ? await dispatchCommand(this.state, this.id, db, request.body, request.sequences)
          : { ok: 0, errmsg: 'OP_MSG requests require a $db argument', code: 40571, codeName: 'Location40571' };
      if (reply === CLOSE_CONNECTION) return this.close();
      if ((request.flagBits & MSG_MORE_TO_COME) !== 0) return;
      this.send(encodeOpMsg(header.requestId, reply));
    } catch (error) {
      // dispatchCommand never throws; reaching here means the reply could not be encoded.
      this.send(encodeOpMsg(header.requestId, { ok: 0, errmsg: `failed to encode reply: ${(error as Error).message}`, code: ErrorCode.InternalError, codeName: 'InternalError' }));
    }
  }

  private send(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }
}
