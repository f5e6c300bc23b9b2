import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ComplexityCache, costShapeOfVariables, createComplexityConfig } from '../../src/complexity/index.js';

const sdl = /* GraphQL */ `
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM | ARGUMENT_DEFINITION
  type Query {
    users(first: Int, name: String): [User!]!
    report(detailed: Boolean @cost(weight: 40)): String @cost(weight: 25)
  }
  type User { id: ID! name: String friends(first: Int): [User!]! }
`;
const schema = buildSchema(sdl);
const config = createComplexityConfig({ maxComplexity: 50, maxDepth: 10, maxAliases: 10, maxTokens: 1_000 });

describe('complexity cache', () => {
  it('never serves one document’s analysis for another, even when only a literal differs', () => {
    const cache = new ComplexityCache();
    const small = parse('{ users(first: 3) { id } }');
    const large = parse('{ users(first: 30) { id } }');
    expect(cache.analyze(schema, small, {}, config).cost).toBe(1 + 3);
    expect(cache.analyze(schema, large, {}, config).cost).toBe(1 + 30);
    expect(cache.analyze(schema, small, {}, config).cost).toBe(1 + 3);
  });

  it('scores the same document again when a page-size variable changes', () => {
    const cache = new ComplexityCache();
    const document = parse('query($n: Int) { users(first: $n) { id name } }');
    expect(cache.analyze(schema, document, { n: 2 }, config)).toMatchObject({ cost: 1 + 2 * 2, allowed: true });
    // Over the limit with a bigger page: a cached "allowed" for n = 2 must not let it through.
    expect(cache.analyze(schema, document, { n: 100 }, config)).toMatchObject({ cost: 1 + 100 * 2, allowed: false });
    expect(cache.analyze(schema, document, { n: 2 }, config).cost).toBe(1 + 2 * 2);
  });

  it('scores again when an @include flag or the presence of a weighted argument changes', () => {
    const cache = new ComplexityCache();
    const included = parse('query($deep: Boolean!) { users(first: 2) { id friends(first: 10) @include(if: $deep) { id } } }');
    const shallow = cache.analyze(schema, included, { deep: false }, config).cost;
    const deep = cache.analyze(schema, included, { deep: true }, config).cost;
    expect(deep).toBeGreaterThan(shallow);
    const weighted = parse('query($d: Boolean) { report(detailed: $d) }');
    expect(cache.analyze(schema, weighted, {}, config).cost).toBe(25);
    expect(cache.analyze(schema, weighted, { d: true }, config).cost).toBe(25 + 40);
  });

  it('shares one entry across string values, which never change a cost', () => {
    expect(costShapeOfVariables({ name: 'alice', n: 3 })).toBe(costShapeOfVariables({ name: 'bob', n: 3 }));
    expect(costShapeOfVariables({ name: 'alice', n: 3 })).not.toBe(costShapeOfVariables({ name: null, n: 3 }));
    const cache = new ComplexityCache();
    const document = parse('query($name: String) { users(first: 4, name: $name) { id } }');
    expect(cache.analyze(schema, document, { name: 'alice' }, config).cost).toBe(cache.analyze(schema, document, { name: 'bob' }, config).cost);
  });

  it('keeps each preset’s limits apart', () => {
    const cache = new ComplexityCache();
    const strict = createComplexityConfig({ ...config, maxComplexity: 5 });
    const document = parse('{ users(first: 10) { id } }');
    expect(cache.analyze(schema, document, {}, config).allowed).toBe(true);
    expect(cache.analyze(schema, document, {}, strict)).toMatchObject({ allowed: false, violations: [{ measure: 'cost', value: 11, limit: 5 }] });
    expect(cache.analyze(schema, document, {}, config).allowed).toBe(true);
  });

  it('scores against a new schema after recomposition', () => {
    const cache = new ComplexityCache();
    const document = parse('{ report }');
    expect(cache.analyze(schema, document, {}, config).cost).toBe(25);
    const recomposed = buildSchema(sdl.replace('@cost(weight: 25)', '@cost(weight: 5)'));
    expect(cache.analyze(recomposed, document, {}, config).cost).toBe(5);
  });

  it('hands out copies: a violation the caller adds is not remembered', () => {
    const cache = new ComplexityCache();
    const document = parse('{ users(first: 1) { id } }');
    const first = cache.analyze(schema, document, {}, config);
    first.violations.push({ measure: 'cost', value: 999, limit: 1 });
    first.allowed = false;
    expect(cache.analyze(schema, document, {}, config)).toMatchObject({ allowed: true, violations: [] });
  });
});
