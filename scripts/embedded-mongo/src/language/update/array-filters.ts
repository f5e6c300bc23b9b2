import type { Document } from 'bson';
import { badValue, failedToParse } from '../../errors.js';
import { compileFilter, type Matcher } from '../filter.js';
import { isPlainDocument } from '../values/type-order.js';

/**
 * `arrayFilters` for `$[identifier]` updates. Each filter names one identifier (its top-level
 * field, possibly dotted: `{'x.qty': {$gt: 5}}`); an element matches when the filter matches
 * a document holding the element under that identifier.
 */
export class ArrayFilters {
  private readonly matchers = new Map<string, Matcher>();
  private readonly used = new Set<string>();

  constructor(filters: Document[] | undefined) {
    for (const filter of filters ?? []) {
      if (!isPlainDocument(filter)) throw failedToParse('arrayFilters entries must be objects');
      const keys = Object.keys(filter);
      if (keys.length === 0) throw failedToParse('Cannot use an expression without a top-level field name in arrayFilters');
      let identifier: string | undefined;
      for (const key of keys) {
        const name = key.split('.')[0]!;
        if (identifier !== undefined && identifier !== name) {
          throw failedToParse(`Error parsing array filter :: caused by :: Expected a single top-level field name, found '${identifier}' and '${name}'`);
        }
        identifier = name;
      }
      const id = identifier!;
      if (!/^[a-z][a-zA-Z0-9]*$/.test(id)) {
        throw badValue(`Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`);
      }
      if (this.matchers.has(id)) throw failedToParse(`Found multiple array filters with the same top-level field name ${id}`);
      this.matchers.set(id, compileFilter(filter));
    }
  }

  matches(identifier: string, path: string, element: unknown): boolean {
    const matcher = this.matchers.get(identifier);
    if (matcher === undefined) throw badValue(`No array filter found for identifier '${identifier}' in path '${path}'`);
    this.used.add(identifier);
    return matcher({ [identifier]: element });
  }

  /** Checked once the update's paths are known: an unused filter is a client bug MongoDB reports. */
  requireAllUsed(identifiersInUpdate: Set<string>, describeUpdate: () => string): void {
    for (const identifier of this.matchers.keys()) {
      if (!identifiersInUpdate.has(identifier)) {
        throw failedToParse(`The array filter for identifier '${identifier}' was not used in the update ${describeUpdate()}`);
      }
    }
  }

  requireDefined(identifier: string, path: string): void {
    if (!this.matchers.has(identifier)) throw badValue(`No array filter found for identifier '${identifier}' in path '${path}'`);
  }
}
