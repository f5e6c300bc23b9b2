/**
 * Malformed wire messages on raw sockets. For each, the server answers with an error reply or
 * closes that one connection (when the framing cannot be trusted), never answers ok:1, never
 * leaves the client hanging, and keeps serving every other client.
 */
import { describe, expect, it } from 'vitest';
import { serialize } from 'bson';
import { useTestEngine } from '../helpers/engine.js';
import { OP_MSG, RawConnection, frame, opMsg, type Outcome } from '../helpers/wire.js';

const engine = useTestEngine('malformed');

async function raw(): Promise<RawConnection> {
  const [hostname] = engine.host.split(':');
  return RawConnection.open(hostname!, engine.port);
}

/** `{ find: 'c', filter: { a: { a: ... } }, $db: 'deep' }` built byte by byte (a recursive serializer would overflow). */
function deeplyNestedFindCommand(depth: number): Buffer {
  let inner = Buffer.from([5, 0, 0, 0, 0]);
  for (let i = 0; i < depth; i += 1) {
    const doc = Buffer.alloc(4 + 3 + inner.length + 1);
    doc.writeInt32LE(doc.length, 0);
    doc.write('\x03a\x00', 4, 'latin1');
    inner.copy(doc, 7);
    doc[doc.length - 1] = 0;
    inner = doc;
  }
  const cString = (text: string) => Buffer.from(`${text}\x00`, 'latin1');
  const stringElement = (name: string, value: string) => {
    const length = Buffer.alloc(4);
    length.writeInt32LE(value.length + 1, 0);
    return Buffer.concat([Buffer.from([2]), cString(name), length, cString(value)]);
  };
  const body = Buffer.concat([stringElement('find', 'c'), Buffer.from([3]), cString('filter'), inner, stringElement('$db', 'deep'), Buffer.from([0])]);
  const length = Buffer.alloc(4);
  length.writeInt32LE(body.length + 4, 0);
  return Buffer.concat([length, body]);
}

/**
 * For a frame whose length is sound but whose content is not, the engine answers with an error
 * reply (it only closes when the framing itself is lost); a real server may close instead.
 */
function expectErrorReplyWhenFramed(outcome: Outcome): void {
  if (engine.isEmbedded) expect(outcome.kind).toBe('reply');
  expectErrorOrClose(outcome);
}

function expectErrorOrClose(outcome: Outcome): void {
  if (outcome.kind === 'reply') {
    expect(outcome.doc.ok).toBe(0);
    expect(typeof outcome.doc.code).toBe('number');
    expect(typeof outcome.doc.errmsg).toBe('string');
  } else {
    expect(outcome.kind).toBe('closed');
  }
}

/** A separate driver client still reads and writes. */
async function expectServing(label: string): Promise<void> {
  const coll = engine.db(label).collection('alive');
  await coll.insertOne({ ok: true });
  expect(await coll.countDocuments()).toBe(1);
  expect(await engine.client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
}

describe('malformed frames', () => {
  it('a valid OP_MSG gets a reply (baseline for the raw client)', async () => {
    const conn = await raw();
    conn.write(opMsg({ ping: 1, $db: 'admin' }));
    const outcome = await conn.next();
    expect(outcome).toMatchObject({ kind: 'reply', opCode: OP_MSG, doc: { ok: 1 } });
    conn.destroy();
  });

  it('a declared length below the header size closes the connection', async () => {
    const conn = await raw();
    conn.write(frame(OP_MSG, Buffer.alloc(0), 8));
    expectErrorOrClose(await conn.next());
    conn.destroy();
    await expectServing('shortlen');
  });

  it('a negative declared length closes the connection', async () => {
    const conn = await raw();
    conn.write(frame(OP_MSG, Buffer.alloc(8), -5));
    expectErrorOrClose(await conn.next());
    conn.destroy();
    await expectServing('neglen');
  });

  it('a huge declared length is refused at once, without waiting for or buffering the body', async () => {
    const conn = await raw();
    conn.write(frame(OP_MSG, Buffer.alloc(16), 0x7fffffff));
    expectErrorOrClose(await conn.next());
    conn.destroy();
    await expectServing('hugelen');
  });

  it('a frame truncated by the client closing its side does not disturb the server', async () => {
    const conn = await raw();
    const full = opMsg({ ping: 1, $db: 'admin' });
    conn.write(full.subarray(0, full.length - 7));
    conn.endInput();
    expectErrorOrClose(await conn.next());
    conn.destroy();
    await expectServing('truncated');
  });

  it('a client stalled in the middle of a frame does not hold up other clients', async () => {
    const conn = await raw();
    const full = opMsg({ ping: 1, $db: 'admin' });
    conn.write(full.subarray(0, 10));
    await expectServing('stalled');
    conn.write(full.subarray(10));
    expect(await conn.next()).toMatchObject({ kind: 'reply', doc: { ok: 1 } });
    conn.destroy();
  });

  it('two frames in one packet and one frame split byte by byte are both answered in order', async () => {
    const conn = await raw();
    conn.write(Buffer.concat([opMsg({ ping: 1, $db: 'admin' }), opMsg({ noSuchCommandHere: 1, $db: 'admin' })]));
    expect(await conn.next()).toMatchObject({ kind: 'reply', doc: { ok: 1 } });
    expect(await conn.next()).toMatchObject({ kind: 'reply', doc: { ok: 0, code: 59 } });
    const split = opMsg({ ping: 1, $db: 'admin' });
    for (const byte of split) conn.write(Buffer.from([byte]));
    expect(await conn.next()).toMatchObject({ kind: 'reply', doc: { ok: 1 } });
    conn.destroy();
  });

  it('an unknown opcode gets an error reply (a real server may close instead)', async () => {
    const conn = await raw();
    conn.write(frame(4242, Buffer.from('garbage garbage garbage')));
    expectErrorReplyWhenFramed(await conn.next());
    conn.destroy();
    await expectServing('opcode');
  });

  it('an OP_MSG whose BSON length exceeds the frame gets an error reply (a real server may close instead)', async () => {
    const conn = await raw();
    const doc = Buffer.from(serialize({ ping: 1, $db: 'admin' }));
    doc.writeInt32LE(doc.length + 1000, 0);
    conn.write(frame(OP_MSG, Buffer.concat([Buffer.alloc(4), Buffer.from([0]), doc])));
    expectErrorReplyWhenFramed(await conn.next());
    conn.destroy();
    await expectServing('bsonlen');
  });

  it('an OP_MSG with garbage instead of BSON gets an error reply (a real server may close instead)', async () => {
    const conn = await raw();
    const garbage = Buffer.from([0x20, 0, 0, 0, 0xff, 0xfe, 0xfd, 0x01, 0x02, 0x03, 0x04, 0x05, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    conn.write(frame(OP_MSG, Buffer.concat([Buffer.alloc(4), Buffer.from([0]), garbage])));
    expectErrorReplyWhenFramed(await conn.next());
    conn.destroy();
    await expectServing('garbagebson');
  });

  it('an OP_MSG with an unknown section kind gets an error reply (a real server may close instead)', async () => {
    const conn = await raw();
    conn.write(frame(OP_MSG, Buffer.concat([Buffer.alloc(4), Buffer.from([7]), serialize({ ping: 1, $db: 'admin' })])));
    expectErrorReplyWhenFramed(await conn.next());
    conn.destroy();
    await expectServing('sectionkind');
  });

  it('an OP_MSG without $db gets an error reply', async () => {
    const conn = await raw();
    conn.write(opMsg({ ping: 1 }));
    expectErrorReplyWhenFramed(await conn.next());
    conn.destroy();
    await expectServing('nodb');
  });

  it('a moreToCome message (endSessions as driver 7 sends it) gets no reply; the next request does', async () => {
    const conn = await raw();
    const body = Buffer.concat([Buffer.from([2, 0, 0, 0]), Buffer.from([0]), Buffer.from(serialize({ endSessions: [], $db: 'admin' }))]);
    conn.write(frame(OP_MSG, body)); // flagBits 2 = moreToCome
    conn.write(opMsg({ buildInfo: 1, $db: 'admin' }));
    // The first reply on the connection must be buildInfo's (it has `version`), not one for endSessions.
    const outcome = await conn.next();
    expect(outcome).toMatchObject({ kind: 'reply', doc: { ok: 1, version: expect.any(String) } });
    conn.destroy();
  });

  it('an unknown command on a raw connection gets CommandNotFound and the connection stays usable', async () => {
    const conn = await raw();
    conn.write(opMsg({ noSuchCommandHere: 1, $db: 'admin' }));
    const outcome = await conn.next();
    expect(outcome).toMatchObject({ kind: 'reply', doc: { ok: 0, code: 59, codeName: 'CommandNotFound' } });
    conn.write(opMsg({ ping: 1, $db: 'admin' }));
    expect(await conn.next()).toMatchObject({ kind: 'reply', doc: { ok: 1 } });
    conn.destroy();
  });

  it('an empty command document gets an error reply', async () => {
    const conn = await raw();
    conn.write(opMsg({ $db: 'admin' }));
    expectErrorReplyWhenFramed(await conn.next());
    conn.destroy();
    await expectServing('emptycmd');
  });

  it('a filter nested 20,000 levels deep gets an error reply, not a crashed server', async () => {
    const conn = await raw();
    conn.write(opMsg(undefined, deeplyNestedFindCommand(20_000)));
    expectErrorReplyWhenFramed(await conn.next(10_000));
    conn.destroy();
    await expectServing('deep');
  });

  it("documents nested within MongoDB's limit (200 levels) are read; deeper ones are refused with its message", async () => {
    const collection = engine.client.db(engine.dbName('depth')).collection('c');
    const nested = (levels: number) => {
      let value: Record<string, unknown> = {};
      for (let level = 1; level < levels; level += 1) value = { a: value };
      return value;
    };
    await collection.insertOne({ _id: 'deep' as never, a: nested(150) });
    expect(await collection.countDocuments({ _id: 'deep' as never })).toBe(1);
    await expect(collection.insertOne({ _id: 'too-deep' as never, a: nested(250) })).rejects.toThrow(/maximum nested object depth: 200/);
    expect(await collection.countDocuments({ _id: 'too-deep' as never })).toBe(0);
  });

  it('removed legacy opcodes (OP_INSERT, OP_UPDATE, OP_DELETE) are refused and change nothing', async () => {
    const dbName = engine.dbName('legacy');
    const namespace = Buffer.from(`${dbName}.c\x00`, 'latin1');
    const doc = Buffer.from(serialize({ _id: 'legacy', x: 1 }));
    const legacyFrames = [
      frame(2002, Buffer.concat([Buffer.alloc(4), namespace, doc])), // OP_INSERT: flags, ns, documents
      frame(2001, Buffer.concat([Buffer.alloc(4), namespace, Buffer.alloc(4), Buffer.from(serialize({})), Buffer.from(serialize({ $set: { y: 1 } }))])), // OP_UPDATE
      frame(2006, Buffer.concat([Buffer.alloc(4), namespace, Buffer.alloc(4), Buffer.from(serialize({}))])), // OP_DELETE
    ];
    for (const legacy of legacyFrames) {
      const conn = await raw();
      conn.write(legacy);
      // These opcodes never had replies: the server either closes the connection or stays silent.
      conn.write(opMsg({ ping: 1, $db: 'admin' }));
      const outcome = await conn.next();
      if (outcome.kind === 'reply') expect(outcome.doc).toMatchObject({ ok: expect.any(Number) });
      conn.destroy();
    }
    expect(await engine.client.db(dbName).collection('c').countDocuments()).toBe(0);
    await expectServing('legacy');
  });

  it('many bad connections at once leave the server serving', async () => {
    const conns = await Promise.all(Array.from({ length: 20 }, () => raw()));
    conns.forEach((conn, i) => conn.write(i % 2 === 0 ? frame(999, Buffer.alloc(40)) : frame(OP_MSG, Buffer.alloc(4), 3)));
    for (const conn of conns) expectErrorOrClose(await conn.next());
    conns.forEach((c) => c.destroy());
    await expectServing('many');
  });
});
