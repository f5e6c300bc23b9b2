/**
 * What the local provider stand-ins share: a list of what they received and a way to await the
 * next matching arrival without polling.
 */
export class Recorder<T> {
  readonly #items: T[] = [];
  readonly #waiters = new Set<{ predicate: (item: T) => boolean; resolve: (item: T) => void }>();

  add(item: T): void {
    this.#items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (waiter.predicate(item)) {
        this.#waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  all(): T[] {
    return [...this.#items];
  }

  clear(): void {
    this.#items.length = 0;
  }

  /** The first recorded or arriving item that matches; rejects after `timeoutMs`. */
  waitFor(predicate: (item: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const found = this.#items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`nothing matching arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}
