import { type FileHandle, open } from 'node:fs/promises';
import { BSON, type Document } from 'bson';

/**
 * An append-only file of committed changes, one frame per commit: `[u32 length][BSON payload]`.
 * Hand-written: embedded stores on npm (LevelDB/LMDB bindings, SQLite) would bring native builds
 * and their own transaction model for what is here a plain append of already-ordered commits.
 *
 * Group commit: appends made while a write is in flight are joined into the next single write,
 * so 16 sessions committing at once cost one write (and one fsync, when enabled), not sixteen.
 * A reply waits for its frame's write: an acknowledged write is in the file.
 */
export class Journal {
  private queued: Buffer[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private writing: Promise<void> | null = null;
  /** Bytes in the file plus queued bytes. */
  size: number;

  private constructor(
    readonly path: string,
    private readonly file: FileHandle,
    initialSize: number,
    private readonly fsync: boolean,
  ) {
    this.size = initialSize;
  }

  static async open(path: string, fsync: boolean): Promise<Journal> {
    const file = await open(path, 'a');
    const { size } = await file.stat();
    return new Journal(path, file, size, fsync);
  }

  append(payload: Document): Promise<void> {
    const body = BSON.serialize(payload, { checkKeys: false, ignoreUndefined: false });
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeUInt32LE(body.length, 0);
    frame.set(body, 4);
    this.queued.push(frame);
    this.size += frame.length;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.writing === null) this.writing = this.drain();
    return done;
  }

  /** Resolves when everything appended so far is written. */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.file.close();
  }

  private async drain(): Promise<void> {
    // Let the commits of the current event-loop turn join this write.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.queued.length > 0) {
      const frames = this.queued;
      const waiters = this.waiters;
      this.queued = [];
      this.waiters = [];
      try {
        await this.file.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
        if (this.fsync) await this.file.datasync();
        for (const w of waiters) w.resolve();
      } catch (error) {
        for (const w of waiters) w.reject(error);
      }
    }
    this.writing = null;
  }
}

/** Reads the frames of a journal file; stops at a torn tail and reports where the good part ends. */
export function readJournalFrames(bytes: Buffer): { frames: Document[]; validLength: number } {
  const frames: Document[] = [];
  let offset = 0;
  while (offset + 4 <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    if (offset + 4 + length > bytes.length) break;
    try {
      frames.push(BSON.deserialize(bytes.subarray(offset + 4, offset + 4 + length), { promoteValues: false }));
    } catch {
      break;
    }
    offset += 4 + length;
  }
  return { frames, validLength: offset };
}
