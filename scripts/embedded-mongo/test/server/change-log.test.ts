import { Timestamp, UUID } from 'bson';
import { describe, expect, it } from 'vitest';
import { ChangeLog, type ChangeLogReader } from '../../src/server/change-log.js';
import type { Change } from '../../src/storage/changes.js';

/** The change log's retention: recent changes for streams opened later, and what open streams have not read. */
describe('ChangeLog retention', () => {
  const uuid = new UUID();
  const insert: Change = { op: 'insert', db: 'd', coll: 'c', uuid, before: null, after: Buffer.alloc(16), images: false };
  let seconds = 1;
  const commit = (log: ChangeLog): bigint => {
    log.append([insert], null, new Timestamp({ t: seconds++, i: 1 }));
    return log.latestKey();
  };
  const keptAfter = (log: ChangeLog, key: bigint): number | 'history lost' | 'other error' => {
    try {
      return [...log.after(key)].length;
    } catch (error) {
      return (error as { codeName?: string }).codeName === 'ChangeStreamHistoryLost' ? 'history lost' : 'other error';
    }
  };

  it('keeps the last `recent` changes when no stream reads: older resume points are history lost', () => {
    const log = new ChangeLog(new Timestamp({ t: 0, i: 1 }), 100, 1 << 20, 3);
    const keys = Array.from({ length: 10 }, () => commit(log));
    expect(keptAfter(log, keys[6]!)).toBe(3);
    expect(keptAfter(log, keys[5]!)).toBe('history lost');
  });

  it('keeps what an open stream has not read, up to the cap, and lets it go once read or detached', () => {
    const log = new ChangeLog(new Timestamp({ t: 0, i: 1 }), 8, 1 << 20, 2);
    const reader: { readPosition: bigint } & ChangeLogReader = { readPosition: commit(log) };
    log.attach(reader);
    const keys = Array.from({ length: 6 }, () => commit(log));
    // Beyond the 2 recent ones: all 6 unread changes are still there for the reader.
    expect(keptAfter(log, reader.readPosition)).toBe(6);
    // Past the cap (8) the oldest go even though unread.
    keys.push(...Array.from({ length: 4 }, () => commit(log)));
    expect(keptAfter(log, reader.readPosition)).toBe('history lost');
    expect(keptAfter(log, keys[1]!)).toBe(8);
    // Read up to keys[7]: at the next commit only what it has not read plus the recent ones stay.
    reader.readPosition = keys[7]!;
    keys.push(commit(log));
    expect(keptAfter(log, keys[7]!)).toBe(3);
    expect(keptAfter(log, keys[6]!)).toBe('history lost');
    // Detached: back to the recent ones.
    log.detach(reader);
    keys.push(commit(log));
    expect(keptAfter(log, keys.at(-3)!)).toBe(2);
    expect(keptAfter(log, keys.at(-4)!)).toBe('history lost');
  });
});
