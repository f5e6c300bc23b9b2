import { composeServices } from '@apollo/composition';
import { buildSchema, getIntrospectionQuery, GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  analyzeQueryComplexity,
  createComplexityConfig,
  RELAXED_COMPLEXITY_CONFIG,
  STANDARD_COMPLEXITY_CONFIG,
  STRICT_COMPLEXITY_CONFIG,
  validateQueryComplexity,
} from '../../src/complexity/index.js';

const schema = buildSchema(/* GraphQL */ `
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM | ARGUMENT_DEFINITION
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!]) on FIELD_DEFINITION

  type Query {
    me: User
    users(first: Int, last: Int): [User!]!
    transactions(first: Int, after: String): TransactionConnection!
    wallets: [Wallet!]!
    report(detailed: Boolean @cost(weight: 40)): String @cost(weight: 25)
    topWallets(limit: Int): [Wallet!]! @listSize(slicingArguments: ["limit"])
    recent: [Wallet!]! @listSize(assumedSize: 3)
    audit: AuditEntry
    walletPage(limit: Int): WalletPage! @listSize(slicingArguments: ["limit"], sizedFields: ["items"])
  }
  type WalletPage { items: [Wallet!]! total: Int! }
  type User { id: ID! name: String wallets: [Wallet!]! friends(first: Int): [User!]! }
  type Wallet { id: ID! balance: Int! }
  type AuditEntry @cost(weight: 7) { id: ID! }
  type TransactionConnection { edges: [TransactionEdge!]! pageInfo: PageInfo! totalCount: Int! }
  type TransactionEdge { cursor: String! node: Transaction! }
  type Transaction { id: ID! amount: Int! }
  type PageInfo { hasNextPage: Boolean! }
`);

const generous = createComplexityConfig({ maxComplexity: 1_000_000, maxDepth: 50, maxAliases: 500, maxTokens: 100_000 });

describe('query cost', () => {
  it('multiplies a list field by its first argument, read from variables', () => {
    const query = 'query($n: Int) { users(first: $n) { id name } }';
    // users (1) + n × (id 1 + name 1)
    expect(analyzeQueryComplexity(schema, query, { n: 5 }, generous).cost).toBe(1 + 5 * 2);
    expect(analyzeQueryComplexity(schema, query, { n: 50 }, generous).cost).toBe(1 + 50 * 2);
  });

  it('takes the larger of first and last', () => {
    const { cost } = analyzeQueryComplexity(schema, '{ users(first: 3, last: 7) { id } }', {}, generous);
    expect(cost).toBe(1 + 7 * 1);
  });

  it('assumes listMultiplier items for a list without a page size', () => {
    const config = createComplexityConfig({ ...generous, listMultiplier: 4 });
    expect(analyzeQueryComplexity(schema, '{ wallets { id balance } }', {}, config).cost).toBe(1 + 4 * 2);
  });

  it('multiplies nested lists', () => {
    const query = '{ users(first: 10) { friends(first: 10) { id } } }';
    // users 1 + 10 × (friends 1 + 10 × id 1)
    expect(analyzeQueryComplexity(schema, query, {}, generous).cost).toBe(1 + 10 * (1 + 10));
  });

  it('multiplies a Relay connection at its edges, not its pageInfo or totalCount', () => {
    const query = '{ transactions(first: 20) { totalCount edges { node { id amount } } pageInfo { hasNextPage } } }';
    // transactions 1 + totalCount 1 + (edges 1 + 20 × (node 1 + 2)) + (pageInfo 1 + 1)
    expect(analyzeQueryComplexity(schema, query, {}, generous).cost).toBe(1 + 1 + (1 + 20 * 3) + 2);
  });

  it('finds the page size of a connection through fragments and variables', () => {
    const query = `
      query($n: Int) { transactions(first: $n) { ...Page } }
      fragment Page on TransactionConnection { ... on TransactionConnection { edges { node { id } } } }
    `;
    expect(analyzeQueryComplexity(schema, query, { n: 5 }, generous).cost).toBe(1 + (1 + 5 * (1 + 1)));
  });

  it('sizes the fields @listSize(sizedFields:) names, by the declared slicing argument', () => {
    const query = '{ walletPage(limit: 4) { total items { id balance } } }';
    // walletPage 1 + total 1 + (items 1 + 4 × 2)
    expect(analyzeQueryComplexity(schema, query, {}, generous).cost).toBe(1 + 1 + (1 + 4 * 2));
  });

  it('assumes listMultiplier items for a connection asked without a page size', () => {
    const query = '{ transactions { edges { node { id } } } }';
    expect(analyzeQueryComplexity(schema, query, {}, generous).cost).toBe(1 + (1 + 10 * (1 + 1)));
  });

  it('reads per-field and per-argument costs from @cost', () => {
    expect(analyzeQueryComplexity(schema, '{ report }', {}, generous).cost).toBe(25);
    expect(analyzeQueryComplexity(schema, '{ report(detailed: true) }', {}, generous).cost).toBe(65);
  });

  it('reads a type weight from @cost on the returned type', () => {
    expect(analyzeQueryComplexity(schema, '{ audit { id } }', {}, generous).cost).toBe(7 + 1);
  });

  it('honours @listSize slicingArguments and assumedSize', () => {
    expect(analyzeQueryComplexity(schema, '{ topWallets(limit: 6) { id } }', {}, generous).cost).toBe(1 + 6);
    expect(analyzeQueryComplexity(schema, '{ recent { id } }', {}, generous).cost).toBe(1 + 3);
  });

  it('lets the config map override the schema', () => {
    const config = createComplexityConfig({ ...generous, fieldComplexities: { 'Query.report': 100 } });
    expect(analyzeQueryComplexity(schema, '{ report }', {}, config).cost).toBe(100);
  });

  it('does not charge for __typename', () => {
    expect(analyzeQueryComplexity(schema, '{ me { __typename id } }', {}, generous).cost).toBe(2);
  });

  it('lets the standard introspection query through the strictest preset, counted and under its limits', () => {
    const result = analyzeQueryComplexity(schema, getIntrospectionQuery(), {}, STRICT_COMPLEXITY_CONFIG);
    expect(result).toMatchObject({ depth: 0, allowed: true });
    expect(result.cost).toBeGreaterThan(0);
    expect(result.cost).toBeLessThanOrEqual(STRICT_COMPLEXITY_CONFIG.maxComplexity);
  });

  it('bounds introspection depth on its own: a depth-19 __schema query is refused for every caller', () => {
    let typeRef = 'name';
    for (let level = 0; level < 15; level++) typeRef = `ofType { ${typeRef} }`;
    const deep = `{ __schema { types { fields { type { ${typeRef} } } } } }`;
    for (const preset of [STRICT_COMPLEXITY_CONFIG, STANDARD_COMPLEXITY_CONFIG]) {
      const result = analyzeQueryComplexity(schema, deep, {}, preset);
      expect(result.allowed).toBe(false);
      expect(result.violations).toContainEqual({ measure: 'depth', value: 20, limit: 15 });
    }
  });

  it('bounds directives on one field as well as per operation', () => {
    const piled = `{ me @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) @include(if: true) { id } }`;
    const result = analyzeQueryComplexity(schema, piled, {}, STANDARD_COMPLEXITY_CONFIG);
    expect(result.violations).toContainEqual({ measure: 'directives', value: 6, limit: 5 });
    const spread = analyzeQueryComplexity(schema, '{ me @include(if: true) @skip(if: false) { id } }', {}, STANDARD_COMPLEXITY_CONFIG);
    expect(spread.allowed).toBe(true);
  });

  it('scores only the named operation when asked', () => {
    const document = 'query A { me { id } } query B { users(first: 100) { id } }';
    const result = analyzeQueryComplexity(schema, document, {}, generous, { operationName: 'A' });
    expect(result.cost).toBe(2);
  });

  it('rejects a page size over the cost limit with the computed cost and the limit', () => {
    const config = createComplexityConfig({ maxComplexity: 100 });
    const query = 'query($n: Int) { users(first: $n) { id name } }';
    expect(validateQueryComplexity(schema, query, { n: 10 }, config).cost).toBe(21);
    const error = captureError(() => validateQueryComplexity(schema, query, { n: 500 }, config));
    expect(error.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      measure: 'cost',
      value: 1001,
      limit: 100,
      cost: 1001,
      maxComplexity: 100,
    });
  });

  it('reports a variable of the wrong type as BAD_USER_INPUT', () => {
    const error = captureError(() => analyzeQueryComplexity(schema, 'query($n: Int) { users(first: $n) { id } }', { n: 'ten' }, generous));
    expect(error.extensions['code']).toBe('BAD_USER_INPUT');
  });
});

describe('shape limits', () => {
  it('measures depth, with fragments adding no level of their own', () => {
    const query = `
      query { me { ...UserParts } }
      fragment UserParts on User { friends(first: 1) { wallets { id } } }
    `;
    expect(analyzeQueryComplexity(schema, query, {}, generous).depth).toBe(4);
  });

  it('rejects a query deeper than maxDepth', () => {
    const config = createComplexityConfig({ maxDepth: 3 });
    const deep = '{ me { friends(first: 1) { friends(first: 1) { id } } } }';
    const error = captureError(() => validateQueryComplexity(schema, deep, {}, config));
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', value: 4, limit: 3 });
    expect(validateQueryComplexity(schema, '{ me { friends(first: 1) { id } } }', {}, config).depth).toBe(3);
  });

  it('rejects too many aliases, counting aliases inside fragments at every use', () => {
    const config = createComplexityConfig({ maxAliases: 3 });
    const query = `
      { a: me { ...F } b: me { ...F } }
      fragment F on User { x: id }
    `;
    const result = analyzeQueryComplexity(schema, query, {}, config);
    expect(result.aliases).toBe(4);
    expect(result.allowed).toBe(false);
    expect(result.violations).toEqual([{ measure: 'aliases', value: 4, limit: 3 }]);
  });

  it('rejects too many directives', () => {
    const config = createComplexityConfig({ maxDirectives: 2 });
    const query = '{ me { id @include(if: true) name @skip(if: false) wallets @include(if: true) { id } } }';
    const error = captureError(() => validateQueryComplexity(schema, query, {}, config));
    expect(error.extensions).toMatchObject({ measure: 'directives', value: 3, limit: 2 });
  });

  it('rejects a document over the token limit before parsing it', () => {
    const config = createComplexityConfig({ maxTokens: 20 });
    const fields = Array.from({ length: 50 }, () => 'id').join(' ');
    const result = analyzeQueryComplexity(schema, `{ me { ${fields} } }`, {}, config);
    expect(result.violations).toEqual([{ measure: 'tokens', value: 21, limit: 20 }]);
    // { me { id } } is 6 tokens; a comment is not a token.
    expect(analyzeQueryComplexity(schema, '# hello\n{ me { id } }', {}, config).tokens).toBe(6);
  });

  it('measures a fragment bomb without expanding it exponentially', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const query = `{ me { ...F0 } }\n${fragments}\nfragment F${levels} on User { x: id }`;
    const result = analyzeQueryComplexity(schema, query, {}, generous);
    expect(result.aliases).toBe(2 ** levels);
    expect(result.allowed).toBe(false);
  });

  it('scores a DocumentNode as well as a string', () => {
    const document = parse('{ users(first: 2) { id } }');
    expect(analyzeQueryComplexity(schema, document, {}, generous)).toMatchObject({ cost: 3, tokens: 11, depth: 2 });
  });
});

describe('presets', () => {
  const heavy = '{ users(first: 100) { id name } }'; // 1 + 100 × 2 = 201
  const heavier = '{ users(first: 300) { id name } }'; // 601
  const nested = (depth: number): string => `{ me { ${'friends(first: 1) { '.repeat(depth - 2)}id${' }'.repeat(depth - 2)} } }`;

  it('STRICT allows 500 cost and depth 5', () => {
    expect(STRICT_COMPLEXITY_CONFIG).toMatchObject({ maxComplexity: 500, maxDepth: 5 });
    expect(analyzeQueryComplexity(schema, heavy, {}, STRICT_COMPLEXITY_CONFIG).allowed).toBe(true);
    expect(analyzeQueryComplexity(schema, heavier, {}, STRICT_COMPLEXITY_CONFIG).allowed).toBe(false);
    expect(analyzeQueryComplexity(schema, nested(5), {}, STRICT_COMPLEXITY_CONFIG).allowed).toBe(true);
    expect(analyzeQueryComplexity(schema, nested(6), {}, STRICT_COMPLEXITY_CONFIG).allowed).toBe(false);
  });

  it('STANDARD allows 1000 cost and depth 10', () => {
    expect(STANDARD_COMPLEXITY_CONFIG).toMatchObject({ maxComplexity: 1000, maxDepth: 10 });
    expect(analyzeQueryComplexity(schema, heavier, {}, STANDARD_COMPLEXITY_CONFIG).allowed).toBe(true);
    expect(analyzeQueryComplexity(schema, nested(10), {}, STANDARD_COMPLEXITY_CONFIG).allowed).toBe(true);
    expect(analyzeQueryComplexity(schema, nested(11), {}, STANDARD_COMPLEXITY_CONFIG).allowed).toBe(false);
  });

  it('RELAXED allows 5000 cost and depth 15', () => {
    expect(RELAXED_COMPLEXITY_CONFIG).toMatchObject({ maxComplexity: 5000, maxDepth: 15 });
    const big = '{ users(first: 2000) { id name } }'; // 4001
    expect(analyzeQueryComplexity(schema, big, {}, STANDARD_COMPLEXITY_CONFIG).allowed).toBe(false);
    expect(analyzeQueryComplexity(schema, big, {}, RELAXED_COMPLEXITY_CONFIG).allowed).toBe(true);
    expect(analyzeQueryComplexity(schema, nested(15), {}, RELAXED_COMPLEXITY_CONFIG).allowed).toBe(true);
  });

  it('createComplexityConfig refuses limits that would disable a check', () => {
    expect(() => createComplexityConfig({ maxDepth: 0 })).toThrow(RangeError);
    expect(() => createComplexityConfig({ maxComplexity: Number.NaN })).toThrow(RangeError);
    expect(() => createComplexityConfig({ fieldComplexities: { transactions: 3 } })).toThrow(RangeError);
    expect(createComplexityConfig({ maxComplexity: undefined }).maxComplexity).toBe(1000);
  });
});

describe('supergraph schema', () => {
  it('reads @cost and @listSize from a composed supergraph', () => {
    const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])';
    const composition = composeServices([
      {
        name: 'auth',
        url: 'http://auth.invalid/graphql',
        typeDefs: parse(`${link}
          type Query { me: User }
          type User @key(fields: "id") { id: ID! name: String }`),
      },
      {
        name: 'payment',
        url: 'http://payment.invalid/graphql',
        typeDefs: parse(`${link}
          type Query { statement: String @cost(weight: 30) }
          type User @key(fields: "id") {
            id: ID!
            wallets(first: Int): [Wallet!]! @listSize(slicingArguments: ["first"])
            history: [Wallet!]! @listSize(assumedSize: 5)
          }
          type Wallet { id: ID! balance: Int! }`),
      },
    ]);
    expect(composition.errors).toBeUndefined();
    if (composition.supergraphSdl === undefined) throw new Error('composition failed');
    const supergraph = buildSchema(composition.supergraphSdl);

    expect(analyzeQueryComplexity(supergraph, '{ statement }', {}, generous).cost).toBe(30);
    const query = 'query($n: Int) { me { wallets(first: $n) { id balance } history { id } } }';
    // me 1 + (wallets 1 + 8 × 2) + (history 1 + 5 × 1)
    expect(analyzeQueryComplexity(supergraph, query, { n: 8 }, generous).cost).toBe(1 + (1 + 16) + (1 + 5));
  });
});

function captureError(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected an error');
}
