import { ownField } from '../path.js';
import { isPlainDocument } from '../values/type-order.js';

/**
 * Aggregation field paths ('$a.b') differ from query paths: through an array they map over the
 * elements and return an array of the values found (missing ones dropped), and a numeric
 * component is a field name, never an array index.
 */
export function resolveFieldPath(value: unknown, parts: readonly string[], start = 0): unknown {
  let current = value;
  for (let i = start; i < parts.length; i++) {
    if (Array.isArray(current)) {
      const collected: unknown[] = [];
      for (const element of current) {
        const found = Array.isArray(element) ? resolveFieldPath(element, parts, i) : isPlainDocument(element) ? resolveFieldPath(element, parts, i) : undefined;
        if (found !== undefined) collected.push(found);
      }
      return collected;
    }
    if (!isPlainDocument(current)) return undefined;
    current = ownField(current, parts[i]!);
    if (current === undefined) return undefined;
  }
  return current;
}
