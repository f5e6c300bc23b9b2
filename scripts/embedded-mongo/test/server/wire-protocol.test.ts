import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON } from 'bson';
import { MongoClient } from 'mongodb';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/index.js';
import { encodeOpMsg, RawWireClient } from './raw-wire-client.js';

let server: EmbeddedMongo;
let client: MongoClient;

beforeAll(async () => {
  server = await startEmbeddedMongo();
  client = await new MongoClient(server.uri).connect();
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

function header(length: number, opCode: number): Buffer {
  const out = Buffer.alloc(16);
  out.writeInt32LE(length, 0);
  out.writeInt32LE(1, 4);
  out.writeInt32LE(0, 8);
  out.writeInt32LE(opCode, 12);
  return out;
}

describe('malformed frames', () => {
  it('a frame with an impossible length closes only that connection', async () => {
    const raw = await RawWireClient.connect(server.port);
    raw.socket.write(header(64 * 1024 * 1024, 2013));
    await raw.closed;
    expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
  });

  it('an unknown opCode and invalid BSON get error replies and the connection keeps working', async () => {
    const raw = await RawWireClient.connect(server.port);
    try {
      const unknown = await raw.sendRaw(Buffer.concat([header(20, 9999), Buffer.alloc(4)]));
      const unknownReply = BSON.deserialize(unknown.subarray(21));
      expect(unknownReply.ok).toBe(0);
      expect(unknownReply.errmsg).toContain('opCode 9999');

      const good = encodeOpMsg(2, { ping: 1, $db: 'admin' });
      const broken = Buffer.from(good);
      broken.writeInt32LE(9999, 21); // BSON length larger than the section
      const brokenReply = BSON.deserialize((await raw.sendRaw(broken)).subarray(21));
      expect(brokenReply.ok).toBe(0);

      expect((await raw.command({ ping: 1, $db: 'admin' })).ok).toBe(1);
    } finally {
      raw.close();
    }
  });

  it('a document over 16 MB is refused with BSONObjectTooLarge', async () => {
    const raw = await RawWireClient.connect(server.port);
    try {
      const reply = await raw.command({ insert: 'big', $db: 'wire_big', documents: [{ blob: 'x'.repeat(17 * 1024 * 1024) }] });
      expect(reply.ok).toBe(1);
      expect(reply.writeErrors[0].code).toBe(10334);
    } finally {
      raw.close();
    }
    expect(await client.db('wire_big').collection('big').countDocuments()).toBe(0);
  });
});
