// Federation packages pinned to 2.14.4: @apollo/subgraph, @apollo/gateway, @apollo/composition,
// @apollo/federation-internals, @apollo/query-planner (and @apollo/query-graphs) — all
// `engines.node` >=14.15/>=18, so they run on our Node 20.20. 2.15.x needs Node 22. Every
// workspace must install exactly this version: two copies of @apollo/federation-internals make
// the query planner crash. Apollo Server is 5.5.1 (Node >=20).
//
// @graphql-tools/{schema,merge,utils} are pinned to 10.1.0 / 9.2.3 / 12.0.1 in core-service:
// later 12.x utils pull @whatwg-node/promise-helpers 2.x, which declares Node >=22.15.

/** The npm version of every `@apollo/*` federation package in this repository. */
export const FEDERATION_PACKAGE_VERSION = '2.14.4';

/** The Apollo Server major/minor the subgraphs and the gateway run on. */
export const APOLLO_SERVER_VERSION = '5.5.1';

/**
 * The federation spec subgraph schemas link. v2.9 is the first with `@cost` and `@listSize`
 * (IBM cost spec), which the gateway's cost limit reads.
 */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.9';
