import { open, readFile, rename, rm } from 'node:fs/promises';
import { BSON, type Document } from 'bson';
import { numberOf } from './numeric-value.js';

/**
 * A full copy of the data at one moment, written by compaction: after it is safely renamed into
 * place, the journal before it is no longer needed.
 *
 * Frames are `[u32 length][u8 tag][payload]`: tag 1 a BSON meta document (the header, or a
 * collection with its options and index definitions), tag 2 the raw BSON bytes of one document
 * of the last announced collection. Raw bytes avoid re-encoding every document on save and load.
 */
export interface SnapshotCollection {
  ns: string;
  options: Document;
  indexes: { name: string; key: Document; options: Document }[];
  docs: Buffer[];
}

export interface SnapshotContents {
  /** First journal file to replay after this snapshot. */
  journalSeq: number;
  clock: number;
  collections: SnapshotCollection[];
}

const META = 1;
const DOC = 2;
const CHUNK = 1 << 20;

export async function writeSnapshot(path: string, contents: SnapshotContents): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w');
  try {
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    const push = async (tag: number, payload: Uint8Array): Promise<void> => {
      const head = Buffer.allocUnsafe(5);
      head.writeUInt32LE(payload.length + 1, 0);
      head.writeUInt8(tag, 4);
      chunk.push(head, payload as Buffer);
      chunkBytes += payload.length + 5;
      if (chunkBytes >= CHUNK) {
        const out = Buffer.concat(chunk);
        chunk = [];
        chunkBytes = 0;
        await file.write(out);
      }
    };
    await push(META, BSON.serialize({ t: 'header', journalSeq: contents.journalSeq, clock: contents.clock }));
    for (const c of contents.collections) {
      await push(META, BSON.serialize({ t: 'collection', ns: c.ns, options: c.options, indexes: c.indexes }));
      for (const doc of c.docs) await push(DOC, doc);
    }
    if (chunk.length > 0) await file.write(Buffer.concat(chunk));
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
}

export async function readSnapshot(path: string): Promise<SnapshotContents | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const contents: SnapshotContents = { journalSeq: 0, clock: 0, collections: [] };
  let current: SnapshotCollection | null = null;
  let offset = 0;
  while (offset + 5 <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const tag = bytes.readUInt8(offset + 4);
    const payload = bytes.subarray(offset + 5, offset + 4 + length);
    offset += 4 + length;
    if (tag === DOC) {
      // Copy out of the file buffer so one surviving document does not pin the whole file.
      current?.docs.push(Buffer.from(payload));
      continue;
    }
    const meta = BSON.deserialize(payload, { promoteValues: false });
    if (meta.t === 'header') {
      contents.journalSeq = numberOf(meta.journalSeq);
      contents.clock = numberOf(meta.clock);
    } else if (meta.t === 'collection') {
      current = { ns: String(meta.ns), options: meta.options as Document, indexes: meta.indexes as SnapshotCollection['indexes'], docs: [] };
      contents.collections.push(current);
    }
  }
  return contents;
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
