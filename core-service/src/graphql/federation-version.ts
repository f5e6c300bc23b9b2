// Every `@apollo/*` federation package (@apollo/subgraph, @apollo/gateway, @apollo/composition,
// @apollo/federation-internals, @apollo/query-planner, @apollo/query-graphs) is pinned to one
// version, the newest the registry serves: two copies of @apollo/federation-internals make the
// query planner crash (`npm ls @apollo/federation-internals` must show one).

/** The npm version of every `@apollo/*` federation package in this repository. */
export const FEDERATION_PACKAGE_VERSION = '2.14.4';

/** The Apollo Server major/minor the subgraphs and the gateway run on. */
export const APOLLO_SERVER_VERSION = '5.5.1';

/**
 * The federation spec subgraph schemas link. v2.9 is the first with `@cost` and `@listSize`
 * (IBM cost spec), which the gateway's cost limit reads.
 */
export const FEDERATION_SPEC_URL = 'https://specs.apollo.dev/federation/v2.9';
