/**
 * Walking BSON bytes without decoding them: enough to find one element's byte range (the
 * `documents` of a command body, the `_id` of a document). bson's deserializer offers no such
 * raw access, and decoding then re-encoding is exactly the cost this avoids.
 */

/** Byte size of a BSON value of `type` at `at`; -1 for a type this walk does not know. */
export function bsonValueSize(bytes: Uint8Array, type: number, at: number): number {
  switch (type) {
    case 0x01: // double
    case 0x09: // date
    case 0x11: // timestamp
    case 0x12: // int64
      return 8;
    case 0x02: // string
    case 0x0d: // javascript
    case 0x0e: // symbol
      return 4 + readInt32(bytes, at);
    case 0x03: // document
    case 0x04: // array
    case 0x0f: // code with scope
      return readInt32(bytes, at);
    case 0x05: // binary
      return 4 + 1 + readInt32(bytes, at);
    case 0x06: // undefined
    case 0x0a: // null
    case 0x7f: // maxKey
    case 0xff: // minKey
      return 0;
    case 0x07: // ObjectId
      return 12;
    case 0x08: // bool
      return 1;
    case 0x0b: {
      // regex: two cstrings
      const patternEnd = bytes.indexOf(0, at);
      const flagsEnd = bytes.indexOf(0, patternEnd + 1);
      return flagsEnd + 1 - at;
    }
    case 0x0c: // DBPointer
      return 4 + readInt32(bytes, at) + 12;
    case 0x10: // int32
      return 4;
    case 0x13: // decimal128
      return 16;
    default:
      return -1;
  }
}

function readInt32(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24);
}

/**
 * The same document with its `_id` element moved to the front (MongoDB stores `_id` first; the
 * driver appends a generated `_id` last). Null when there is no top-level `_id` or the layout is
 * not understood.
 */
export function withIdFirst(bytes: Uint8Array): Buffer | null {
  let p = 4;
  const end = bytes.length - 1;
  while (p < end) {
    const type = bytes[p]!;
    const nameEnd = bytes.indexOf(0, p + 1);
    if (nameEnd < 0) return null;
    const size = bsonValueSize(bytes, type, nameEnd + 1);
    if (size < 0) return null;
    const elementEnd = nameEnd + 1 + size;
    if (nameEnd === p + 4 && bytes[p + 1] === 0x5f && bytes[p + 2] === 0x69 && bytes[p + 3] === 0x64) {
      const out = Buffer.allocUnsafe(bytes.length);
      out.set(bytes.subarray(0, 4), 0);
      out.set(bytes.subarray(p, elementEnd), 4);
      out.set(bytes.subarray(4, p), 4 + (elementEnd - p));
      out.set(bytes.subarray(elementEnd), elementEnd);
      return out;
    }
    p = elementEnd;
  }
  return null;
}
