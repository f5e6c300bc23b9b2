import { BSON, type Document } from 'bson';
import { bsonValueSize } from '../storage/bson-layout.js';

/**
 * The MongoDB wire protocol, as far as the official driver speaks it: the legacy OP_QUERY /
 * OP_REPLY pair (only for the first `hello` of a connection) and OP_MSG for everything else.
 * Hand-written because no maintained npm package implements the server side of it.
 */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const HEADER_SIZE = 16;
/** Largest message accepted, as advertised in hello (maxMessageSizeBytes). */
export const MAX_MESSAGE_SIZE = 48_000_000;

export const MSG_CHECKSUM_PRESENT = 1 << 0;
export const MSG_MORE_TO_COME = 1 << 1;
export const MSG_EXHAUST_ALLOWED = 1 << 16;

const DECODE_OPTIONS = { promoteValues: false } as const;

export interface MessageHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface OpMsgRequest {
  kind: 'msg';
  header: MessageHeader;
  flagBits: number;
  body: Document;
  /** Kind-1 document sequences by identifier (e.g. `documents` of insert). */
  sequences: Map<string, Document[]>;
}

export interface OpQueryRequest {
  kind: 'query';
  header: MessageHeader;
  fullCollectionName: string;
  query: Document;
}

export type Request = OpMsgRequest | OpQueryRequest;

/**
 * The received bytes of each document of a kind-1 sequence (e.g. insert `documents`): storing
 * them as they came saves re-encoding every inserted document.
 */
const rawBytes = new WeakMap<Document, Uint8Array>();

export function receivedBytesOf(doc: Document): Uint8Array | undefined {
  return rawBytes.get(doc);
}

/**
 * The driver sends insert `documents` inside the body (only client.bulkWrite uses kind-1
 * sequences), so the body's `documents` array is located in the raw bytes too: a walk over the
 * top-level elements (sizes by BSON type), then over the array's embedded documents.
 */
function rememberBodyDocuments(body: Document, bytes: Buffer): void {
  const docs = body.documents;
  if (!Array.isArray(docs) || docs.length === 0) return;
  try {
    let p = 4;
    while (p < bytes.length - 1) {
      const type = bytes[p]!;
      const nameEnd = bytes.indexOf(0, p + 1);
      if (nameEnd < 0) return;
      const name = bytes.toString('utf8', p + 1, nameEnd);
      const valueAt = nameEnd + 1;
      if (name === 'documents' && type === 0x04) {
        const arrayEnd = valueAt + bytes.readInt32LE(valueAt);
        let q = valueAt + 4;
        let i = 0;
        while (q < arrayEnd - 1 && i < docs.length) {
          if (bytes[q] !== 0x03) return;
          const keyEnd = bytes.indexOf(0, q + 1);
          const docSize = bytes.readInt32LE(keyEnd + 1);
          const doc = docs[i];
          if (doc !== null && typeof doc === 'object') rawBytes.set(doc as Document, bytes.subarray(keyEnd + 1, keyEnd + 1 + docSize));
          q = keyEnd + 1 + docSize;
          i++;
        }
        return;
      }
      const size = bsonValueSize(bytes, type, valueAt);
      if (size < 0) return;
      p = valueAt + size;
    }
  } catch {
    // Unusual layout: the documents are simply re-encoded.
  }
}

/** Thrown for a frame that has a sound length but cannot be understood; the connection replies with an error and goes on. */
export class ProtocolError extends Error {}

export function readHeader(buf: Buffer, offset = 0): MessageHeader {
  return {
    messageLength: buf.readInt32LE(offset),
    requestId: buf.readInt32LE(offset + 4),
    responseTo: buf.readInt32LE(offset + 8),
    opCode: buf.readInt32LE(offset + 12),
  };
}

/** Parses one complete message (`frame` holds exactly `messageLength` bytes). */
export function parseMessage(frame: Buffer): Request {
  const header = readHeader(frame);
  switch (header.opCode) {
    case OP_MSG:
      return parseOpMsg(frame, header);
    case OP_QUERY:
      return parseOpQuery(frame, header);
    case OP_COMPRESSED:
      throw new ProtocolError('OP_COMPRESSED is not supported (no compressors are advertised)');
    default:
      throw new ProtocolError(`unsupported opCode ${header.opCode}`);
  }
}

function parseOpMsg(frame: Buffer, header: MessageHeader): OpMsgRequest {
  const flagBits = frame.readUInt32LE(HEADER_SIZE);
  // Bits 2..15 are "required" flags: an unknown one must be rejected.
  if ((flagBits & 0xfffc) !== 0) throw new ProtocolError(`unsupported OP_MSG flag bits ${flagBits}`);
  const end = frame.length - ((flagBits & MSG_CHECKSUM_PRESENT) !== 0 ? 4 : 0);
  let offset = HEADER_SIZE + 4;
  let body: Document | null = null;
  const sequences = new Map<string, Document[]>();
  while (offset < end) {
    const sectionKind = frame.readUInt8(offset);
    offset += 1;
    if (sectionKind === 0) {
      const size = documentSize(frame, offset, end);
      if (body !== null) throw new ProtocolError('OP_MSG has more than one body section');
      body = decode(frame, offset, size);
      rememberBodyDocuments(body, frame.subarray(offset, offset + size));
      offset += size;
    } else if (sectionKind === 1) {
      if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = frame.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError('invalid document sequence size');
      const nameEnd = frame.indexOf(0, offset + 4);
      if (nameEnd < 0 || nameEnd >= sectionEnd) throw new ProtocolError('invalid document sequence identifier');
      const identifier = frame.toString('utf8', offset + 4, nameEnd);
      const docs: Document[] = [];
      let p = nameEnd + 1;
      while (p < sectionEnd) {
        const docSize = documentSize(frame, p, sectionEnd);
        const doc = decode(frame, p, docSize);
        rawBytes.set(doc, frame.subarray(p, p + docSize));
        docs.push(doc);
        p += docSize;
      }
      sequences.set(identifier, docs);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${sectionKind}`);
    }
  }
  if (body === null) throw new ProtocolError('OP_MSG without a body section');
  return { kind: 'msg', header, flagBits, body, sequences };
}

function parseOpQuery(frame: Buffer, header: MessageHeader): OpQueryRequest {
  let offset = HEADER_SIZE + 4; // flags
  const nameEnd = frame.indexOf(0, offset);
  if (nameEnd < 0) throw new ProtocolError('invalid OP_QUERY collection name');
  const fullCollectionName = frame.toString('utf8', offset, nameEnd);
  offset = nameEnd + 1 + 8; // numberToSkip, numberToReturn
  const size = documentSize(frame, offset, frame.length);
  const query = decode(frame, offset, size);
  return { kind: 'query', header, fullCollectionName, query };
}

function documentSize(frame: Buffer, offset: number, end: number): number {
  if (offset + 4 > end) throw new ProtocolError('truncated BSON document');
  const size = frame.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new ProtocolError('invalid BSON document size');
  return size;
}

/** MongoDB's limit on nested documents and arrays in a BSON object (BSONDepth, 200). */
export const MAX_BSON_DEPTH = 200;

function decode(frame: Buffer, offset: number, size: number): Document {
  if (nestingDepthExceeds(frame, offset, offset + size, MAX_BSON_DEPTH)) {
    throw new ProtocolError(`BSONObj exceeded maximum nested object depth: ${MAX_BSON_DEPTH}`);
  }
  try {
    return BSON.deserialize(frame.subarray(offset, offset + size), DECODE_OPTIONS);
  } catch (error) {
    throw new ProtocolError(`invalid BSON: ${(error as Error).message}`);
  }
}

/**
 * Whether a BSON document nests objects or arrays deeper than `limit`. A scan of the raw bytes
 * with an explicit stack (no recursion, no allocation per element), so an attacker's 20,000-deep
 * filter is refused before anything recursive (decoding, matching) walks it, as mongod refuses it.
 */
function nestingDepthExceeds(bytes: Buffer, start: number, end: number, limit: number): boolean {
  const ends = [end];
  let at = start + 4;
  while (ends.length > 0) {
    const documentEnd = ends[ends.length - 1]!;
    if (at >= documentEnd - 1) {
      ends.pop();
      at = documentEnd;
      continue;
    }
    const type = bytes[at]!;
    const nameEnd = bytes.indexOf(0, at + 1);
    if (nameEnd < 0 || nameEnd >= documentEnd) return false; // malformed: decoding reports it
    const value = nameEnd + 1;
    if (type === 0x03 || type === 0x04) {
      const size = bytes.readInt32LE(value);
      if (size < 5 || value + size > documentEnd) return false;
      if (ends.length >= limit) return true;
      ends.push(value + size);
      at = value + 4;
    } else {
      const size = bsonValueSize(bytes, type, value);
      if (!(size >= 0)) return false;
      at = value + size;
    }
  }
  return false;
}

let nextRequestId = 1;

export function encodeOpMsg(responseTo: number, body: Document): Buffer {
  const bson = BSON.serialize(body, { checkKeys: false, ignoreUndefined: false });
  const out = Buffer.allocUnsafe(HEADER_SIZE + 4 + 1 + bson.length);
  writeHeader(out, responseTo, OP_MSG);
  out.writeUInt32LE(0, HEADER_SIZE);
  out.writeUInt8(0, HEADER_SIZE + 4);
  out.set(bson, HEADER_SIZE + 5);
  return out;
}

export function encodeOpReply(responseTo: number, doc: Document): Buffer {
  const bson = BSON.serialize(doc, { checkKeys: false, ignoreUndefined: false });
  const out = Buffer.allocUnsafe(HEADER_SIZE + 20 + bson.length);
  writeHeader(out, responseTo, OP_REPLY);
  out.writeInt32LE(0, HEADER_SIZE); // responseFlags
  out.writeBigInt64LE(0n, HEADER_SIZE + 4); // cursorID
  out.writeInt32LE(0, HEADER_SIZE + 12); // startingFrom
  out.writeInt32LE(1, HEADER_SIZE + 16); // numberReturned
  out.set(bson, HEADER_SIZE + 20);
  return out;
}

function writeHeader(out: Buffer, responseTo: number, opCode: number): void {
  out.writeInt32LE(out.length, 0);
  out.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  out.writeInt32LE(responseTo, 8);
  out.writeInt32LE(opCode, 12);
}
