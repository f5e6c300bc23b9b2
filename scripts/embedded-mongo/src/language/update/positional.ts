import type { Document } from 'bson';
import { badValue } from '../../errors.js';
import { compileFilter } from '../filter.js';
import { getPathParts } from '../path.js';
import { isPlainDocument } from '../values/type-order.js';

const NOT_FOUND = 'The positional operator did not find the match needed from the query.';

/**
 * Resolves the positional `$` of an update path to the index of the first array element the
 * query matched. The server does not report which element matched, so the query's clauses on
 * the array (and paths below it) are re-run on each element, wrapped as a one-element array
 * so that `{a: 5}`, `{'a.b': 1}` and `{a: {$elemMatch: ...}}` all keep their meaning.
 */
export function resolvePositionalIndex(doc: Document, arrayParts: readonly string[], query: Document | undefined): number {
  if (query === undefined) throw badValue(NOT_FOUND);
  const array = getPathParts(doc, arrayParts);
  if (!Array.isArray(array)) throw badValue(NOT_FOUND);
  const arrayPath = arrayParts.join('.');
  const clauses: Document[] = [];
  collectClausesOnPath(query, arrayPath, clauses);
  if (clauses.length === 0) throw badValue(NOT_FOUND);
  const matcher = compileFilter({ $and: clauses });
  for (let index = 0; index < array.length; index++) {
    if (matcher({ element: [array[index]] })) return index;
  }
  throw badValue(NOT_FOUND);
}

function collectClausesOnPath(query: Document, arrayPath: string, clauses: Document[]): void {
  for (const [key, condition] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const branch of condition) if (isPlainDocument(branch)) collectClausesOnPath(branch, arrayPath, clauses);
    } else if (key === arrayPath) {
      clauses.push({ element: condition });
    } else if (key.startsWith(`${arrayPath}.`)) {
      clauses.push({ [`element${key.slice(arrayPath.length)}`]: condition });
    }
  }
}
