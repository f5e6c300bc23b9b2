import { MongoCommandError, ErrorCode } from '../../errors.js';
import { isArrayIndex, ownField } from '../path.js';
import { valuesIdentical } from '../values/compare.js';
import { isPlainDocument } from '../values/type-order.js';
import { describeValue } from './describe.js';

export type Container = Record<string, unknown> | unknown[];

/**
 * Copy-on-write access to a document being updated. The input document is never mutated (the
 * server keeps old versions for snapshot isolation); a container is copied the first time an
 * update writes into it, so untouched subtrees stay shared with the original and the final
 * "was anything modified" comparison can skip them by reference.
 */
export class DocumentWriter {
  readonly root: Record<string, unknown>;
  /**
   * Whether any write changed a value (by BSON identity). Tracked per write so `modified`
   * costs a comparison of the touched leaves, not of the whole document.
   */
  changed = false;
  private readonly owned = new Set<object>();

  constructor(original: Record<string, unknown>) {
    this.root = { ...original };
    this.owned.add(this.root);
  }

  read(container: Container, key: string): unknown {
    if (Array.isArray(container)) return isArrayIndex(key) ? container[Number(key)] : undefined;
    return ownField(container, key);
  }

  /** The child container at `key`, copied into this document first if it is still shared. */
  ownedChild(container: Container, key: string): Container | undefined {
    const child = this.read(container, key);
    if (!Array.isArray(child) && !isPlainDocument(child)) return undefined;
    if (this.owned.has(child)) return child;
    const copy: Container = Array.isArray(child) ? [...child] : { ...child };
    this.owned.add(copy);
    this.assign(container, key, copy);
    return copy;
  }

  /** A fresh container created by this update (owned, so later writes need no copy). */
  createChild(container: Container, key: string): Record<string, unknown> {
    const child: Record<string, unknown> = {};
    this.owned.add(child);
    this.write(container, key, child);
    this.changed = true;
    return child;
  }

  adopt<T extends object>(value: T): T {
    this.owned.add(value);
    return value;
  }

  write(container: Container, key: string, value: unknown): void {
    if (!this.changed) {
      const previous = this.read(container, key);
      if (previous === undefined || !valuesIdentical(previous, value)) this.changed = true;
    }
    if (Array.isArray(container)) {
      if (!isArrayIndex(key)) {
        throw new MongoCommandError(ErrorCode.PathNotViable, `Cannot create field '${key}' in element {${describeValue(container)}}`);
      }
      const index = Number(key);
      // MongoDB pads with nulls when setting past the end of an array.
      while (container.length < index) container.push(null);
      container[index] = value;
      return;
    }
    this.assign(container, key, value);
  }

  remove(container: Container, key: string): void {
    if (Array.isArray(container)) {
      // $unset of an array element leaves a null hole rather than shifting the elements.
      if (isArrayIndex(key) && Number(key) < container.length) {
        if (container[Number(key)] !== null) this.changed = true;
        container[Number(key)] = null;
      }
      return;
    }
    if (Object.prototype.hasOwnProperty.call(container, key)) {
      delete container[key];
      this.changed = true;
    }
  }

  private assign(container: Container, key: string, value: unknown): void {
    if (Array.isArray(container)) {
      container[Number(key)] = value;
    } else if (key === '__proto__') {
      Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      container[key] = value;
    }
  }
}
