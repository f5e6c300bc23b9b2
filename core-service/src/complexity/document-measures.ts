import { Kind, Lexer, Source, TokenKind, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

export interface ShapeMeasures {
  /** Deepest field nesting, top-level fields being depth 1. */
  depth: number;
  /** Aliased fields, counted once per place they are reached (fragments expanded). */
  aliases: number;
  /** Directive applications, counted once per place they are reached (fragments expanded). */
  directives: number;
  /** Deepest path through an introspection field (`__schema`, `__type`), every level counted; 0 when none. */
  introspectionDepth: number;
  /** Most directive applications on any one field, fragment spread or inline fragment. */
  fieldDirectives: number;
}

const EMPTY: ShapeMeasures = Object.freeze({ depth: 0, aliases: 0, directives: 0, introspectionDepth: 0, fieldDirectives: 0 });

/**
 * Counts the tokens graphql-js's parser would count against its `maxTokens` option (every
 * token but comments and end-of-file), so the reported number and the parser's limit agree.
 * Stops at `stopAfter` so a huge document costs no more than the limit to reject.
 */
export function countTokens(source: string, stopAfter = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  // Lexer.advance() already skips comments.
  while (lexer.advance().kind !== TokenKind.EOF) {
    count += 1;
    if (count > stopAfter) break;
  }
  return count;
}

/**
 * Depth, aliases and directives of the operations in a document (the named one, or all of
 * them: a document sent without a name carries one operation, and scoring every operation
 * is the safe reading otherwise).
 *
 * Hand-written rather than `graphql-depth-limit` & co.: those are validation rules that each
 * walk the document again and expand fragments at every spread, which a fragment that spreads
 * another fragment twice, nested a few levels deep, turns into exponential work. Here each
 * fragment is measured once and reused.
 */
export function measureDocumentShape(document: DocumentNode, operationName?: string): ShapeMeasures {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const selected = operationName ? operations.filter((op) => op.name?.value === operationName) : operations;

  const memo = new Map<string, ShapeMeasures>();
  const inProgress = new Set<string>();

  const measureFragment = (name: string): ShapeMeasures => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    // Unknown or cyclic fragments are validation errors reported elsewhere; count them as empty.
    if (!fragment || inProgress.has(name)) return EMPTY;
    inProgress.add(name);
    const inner = measureSelectionSet(fragment.selectionSet);
    inProgress.delete(name);
    const own = fragment.directives?.length ?? 0;
    const measures = { ...inner, directives: inner.directives + own, fieldDirectives: Math.max(inner.fieldDirectives, own) };
    memo.set(name, measures);
    return measures;
  };

  const measureSelectionSet = (selectionSet: SelectionSetNode): ShapeMeasures => {
    const total: ShapeMeasures = { ...EMPTY };
    for (const selection of selectionSet.selections) {
      const own = selection.directives?.length ?? 0;
      total.directives += own;
      total.fieldDirectives = Math.max(total.fieldDirectives, own);
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) total.aliases += 1;
        const inner = selection.selectionSet ? measureSelectionSet(selection.selectionSet) : EMPTY;
        if (selection.name.value.startsWith('__')) {
          // Introspection has a depth limit of its own (maxIntrospectionDepth), counted on every
          // level beneath it; it does not count toward the data depth.
          total.introspectionDepth = Math.max(total.introspectionDepth, 1 + Math.max(inner.depth, inner.introspectionDepth));
        } else {
          total.depth = Math.max(total.depth, inner.depth + 1);
          if (inner.introspectionDepth > 0) total.introspectionDepth = Math.max(total.introspectionDepth, inner.introspectionDepth + 1);
        }
        total.aliases += inner.aliases;
        total.directives += inner.directives;
        total.fieldDirectives = Math.max(total.fieldDirectives, inner.fieldDirectives);
      } else {
        const inner = selection.kind === Kind.INLINE_FRAGMENT ? measureSelectionSet(selection.selectionSet) : measureFragment(selection.name.value);
        // A fragment adds no level of its own: its fields sit at the level of the spread.
        total.depth = Math.max(total.depth, inner.depth);
        total.introspectionDepth = Math.max(total.introspectionDepth, inner.introspectionDepth);
        total.aliases += inner.aliases;
        total.directives += inner.directives;
        total.fieldDirectives = Math.max(total.fieldDirectives, inner.fieldDirectives);
      }
    }
    return total;
  };

  const result: ShapeMeasures = { ...EMPTY };
  for (const operation of selected) {
    const measures = measureSelectionSet(operation.selectionSet);
    result.depth = Math.max(result.depth, measures.depth);
    result.introspectionDepth = Math.max(result.introspectionDepth, measures.introspectionDepth);
    result.fieldDirectives = Math.max(result.fieldDirectives, measures.fieldDirectives, operation.directives?.length ?? 0);
    result.aliases += measures.aliases;
    result.directives += measures.directives + (operation.directives?.length ?? 0);
    for (const variable of operation.variableDefinitions ?? []) result.directives += variable.directives?.length ?? 0;
  }
  return result;
}
