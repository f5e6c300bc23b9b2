/**
 * An ordered set of keys kept as a sorted array of sorted pages (a two-level B+tree).
 *
 * Why hand-written: index keys are compared with MongoDB's BSON order (`compareValues`, with a
 * direction per key field), keys are unique because every entry ends with the record id, and
 * scans must survive the tree changing between two `getMore` calls. `sorted-btree` would fit the
 * comparator, but its iterators are invalidated by writes and it offers no cheap "resume strictly
 * after this key" on a changed tree; this structure does, in ~200 lines. Two levels are enough:
 * with 512 keys a page, 1M keys are ~4k pages, so a split's splice of the page array moves a few
 * KB, and lookups are two binary searches.
 */
export type Comparator<K> = (a: K, b: K) => number;

const MAX_PAGE = 512;

/** A position in the tree: page index and slot in that page. */
interface Position {
  page: number;
  slot: number;
}

export class BTree<K> {
  private pages: K[][] = [];
  private count = 0;
  /** Bumped on every structural change, so a paused scan knows it must re-seek. */
  modCount = 0;

  constructor(readonly compare: Comparator<K>) {}

  get size(): number {
    return this.count;
  }

  /** Inserts the key; false when an equal key is already present. */
  insert(key: K): boolean {
    if (this.pages.length === 0) {
      this.pages.push([key]);
      this.count = 1;
      this.modCount++;
      return true;
    }
    const p = this.pageFor(key);
    const page = this.pages[p]!;
    const slot = lowerBound(page, key, this.compare);
    if (slot < page.length && this.compare(page[slot]!, key) === 0) return false;
    page.splice(slot, 0, key);
    this.count++;
    this.modCount++;
    if (page.length > MAX_PAGE) {
      const right = page.splice(page.length >> 1);
      this.pages.splice(p + 1, 0, right);
    }
    return true;
  }

  /** Removes the key; false when absent. */
  delete(key: K): boolean {
    if (this.pages.length === 0) return false;
    const p = this.pageFor(key);
    const page = this.pages[p]!;
    const slot = lowerBound(page, key, this.compare);
    if (slot >= page.length || this.compare(page[slot]!, key) !== 0) return false;
    page.splice(slot, 1);
    this.count--;
    this.modCount++;
    if (page.length === 0) this.pages.splice(p, 1);
    return true;
  }

  has(key: K): boolean {
    if (this.pages.length === 0) return false;
    const page = this.pages[this.pageFor(key)]!;
    const slot = lowerBound(page, key, this.compare);
    return slot < page.length && this.compare(page[slot]!, key) === 0;
  }

  /**
   * Keys in order starting at the first key for which `isBefore(key)` is false (forward), or
   * backwards starting at the last key for which `isAfter(key)` is false (reverse). `isBefore` /
   * `isAfter` must be monotone over the order. The iteration survives writes to the tree between
   * two steps: it re-seeks strictly after (before) the last key it returned.
   */
  *scan(direction: 1 | -1, isBefore: (key: K) => boolean, isAfter: (key: K) => boolean): Generator<K> {
    let pos = direction === 1 ? this.firstWhere((k) => !isBefore(k)) : this.lastWhere((k) => !isAfter(k));
    let seen = this.modCount;
    let last: K | undefined;
    for (;;) {
      if (this.modCount !== seen && last !== undefined) {
        const after = last;
        pos = direction === 1 ? this.firstWhere((k) => this.compare(k, after) > 0) : this.lastWhere((k) => this.compare(k, after) < 0);
        seen = this.modCount;
      }
      const page = this.pages[pos.page];
      if (page === undefined || pos.slot < 0 || pos.slot >= page.length) return;
      const key = page[pos.slot]!;
      last = key;
      if (direction === 1) {
        if (isAfter(key)) return;
        pos = pos.slot + 1 < page.length ? { page: pos.page, slot: pos.slot + 1 } : { page: pos.page + 1, slot: 0 };
      } else {
        if (isBefore(key)) return;
        pos = pos.slot > 0 ? { page: pos.page, slot: pos.slot - 1 } : this.endOfPage(pos.page - 1);
      }
      yield key;
    }
  }

  /** Number of keys for which `isBefore` is false and `isAfter` is false (for selectivity estimates, O(log n + pages spanned)). */
  countBetween(isBefore: (key: K) => boolean, isAfter: (key: K) => boolean): number {
    const start = this.firstWhere((k) => !isBefore(k));
    const end = this.firstWhere((k) => isAfter(k));
    return this.rank(end) - this.rank(start);
  }

  private rank(pos: Position): number {
    // Pages are small and few enough that summing their lengths is cheap compared with a scan.
    let n = 0;
    for (let i = 0; i < pos.page && i < this.pages.length; i++) n += this.pages[i]!.length;
    return n + Math.max(0, pos.slot);
  }

  private endOfPage(page: number): Position {
    if (page < 0) return { page: -1, slot: -1 };
    return { page, slot: this.pages[page]!.length - 1 };
  }

  /** Page whose range should hold `key`: the last page whose first key is <= key (or page 0). */
  private pageFor(key: K): number {
    let lo = 0;
    let hi = this.pages.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.compare(this.pages[mid]![0]!, key) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** First position whose key satisfies `pred` (pred is false then true along the order). */
  private firstWhere(pred: (key: K) => boolean): Position {
    let lo = 0;
    let hi = this.pages.length;
    // First page whose last key satisfies pred.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const page = this.pages[mid]!;
      if (pred(page[page.length - 1]!)) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= this.pages.length) return { page: this.pages.length, slot: 0 };
    const page = this.pages[lo]!;
    let a = 0;
    let b = page.length - 1;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (pred(page[mid]!)) b = mid;
      else a = mid + 1;
    }
    return { page: lo, slot: a };
  }

  /** Last position whose key satisfies `pred` (pred is true then false along the order). */
  private lastWhere(pred: (key: K) => boolean): Position {
    let lo = -1;
    let hi = this.pages.length - 1;
    // Last page whose first key satisfies pred.
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pred(this.pages[mid]![0]!)) lo = mid;
      else hi = mid - 1;
    }
    if (lo < 0) return { page: -1, slot: -1 };
    const page = this.pages[lo]!;
    let a = 0;
    let b = page.length - 1;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (pred(page[mid]!)) a = mid;
      else b = mid - 1;
    }
    return { page: lo, slot: a };
  }
}

function lowerBound<K>(page: K[], key: K, compare: Comparator<K>): number {
  let lo = 0;
  let hi = page.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compare(page[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
