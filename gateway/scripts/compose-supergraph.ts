/**
 * `npm run compose -w gateway`: writes gateway/supergraph.graphql (checked in; production
 * gateways serve it instead of introspecting running services). Exits non-zero with the
 * composition errors when the subgraph schemas do not compose.
 */
import { writeFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from '../src/compose.js';

try {
  const { sdl, subgraphs } = composeSupergraph();
  writeFileSync(SUPERGRAPH_PATH, sdl);
  console.log(`wrote ${SUPERGRAPH_PATH} (${subgraphs.join(', ')})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
