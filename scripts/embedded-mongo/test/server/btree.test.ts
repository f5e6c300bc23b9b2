import { describe, expect, it } from 'vitest';
import { BTree } from '../../src/storage/btree.js';

const numbers = (a: number, b: number): number => a - b;

/** A seeded generator, so a failure repeats. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe('BTree', () => {
  it('keeps the same ordered set as a sorted array through random inserts and deletes', () => {
    const tree = new BTree<number>(numbers);
    const model = new Set<number>();
    const next = random(42);
    let wrongAnswers = 0;
    for (let i = 0; i < 20_000; i++) {
      const key = Math.floor(next() * 5_000);
      if (next() < 0.6) {
        if (tree.insert(key) !== !model.has(key)) wrongAnswers++;
        model.add(key);
      } else {
        if (tree.delete(key) !== model.has(key)) wrongAnswers++;
        model.delete(key);
      }
    }
    expect(wrongAnswers).toBe(0);
    const sorted = [...model].sort(numbers);
    expect([
      ...tree.scan(
        1,
        () => false,
        () => false,
      ),
    ]).toEqual(sorted);
    expect([
      ...tree.scan(
        -1,
        () => false,
        () => false,
      ),
    ]).toEqual([...sorted].reverse());
    expect(tree.size).toBe(sorted.length);
  });

  it('scans a bounded range in both directions and counts it', () => {
    const tree = new BTree<number>(numbers);
    for (let i = 0; i < 3000; i++) tree.insert(i * 2);
    const forward = [
      ...tree.scan(
        1,
        (k) => k < 1001,
        (k) => k > 1100,
      ),
    ];
    expect(forward).toEqual(Array.from({ length: 50 }, (_, i) => 1002 + i * 2));
    const backward = [
      ...tree.scan(
        -1,
        (k) => k < 1001,
        (k) => k > 1100,
      ),
    ];
    expect(backward).toEqual([...forward].reverse());
    expect(
      tree.countBetween(
        (k) => k < 1001,
        (k) => k > 1100,
      ),
    ).toBe(50);
  });

  it('a paused scan resumes after its last key when the tree changed meanwhile', () => {
    const tree = new BTree<number>(numbers);
    for (let i = 0; i < 2000; i++) tree.insert(i);
    const scan = tree.scan(
      1,
      () => false,
      () => false,
    );
    const seen: number[] = [];
    for (let i = 0; i < 700; i++) seen.push(scan.next().value as number);
    // Splits and removals around the position: already-seen keys must not come back.
    for (let i = 0; i < 600; i++) tree.delete(i);
    for (let i = 2000; i < 4000; i++) tree.insert(i);
    tree.insert(650.5);
    for (let r = scan.next(); r.done !== true; r = scan.next()) seen.push(r.value);
    expect(seen.slice(0, 700)).toEqual(Array.from({ length: 700 }, (_, i) => i));
    expect(seen.slice(700)).toEqual(Array.from({ length: 3300 }, (_, i) => 700 + i));
  });
});
