/**
 * The baseline of issue 16: `@apollo/gateway` + Apollo Server's standalone server on the same
 * supergraph, with none of our plugins. Its only addition is the signed subgraph context our
 * subgraphs require (baseline-signing.ts). Env: PORT, SUPERGRAPH_PATH, INTERNAL_CONTEXT_SECRET.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { baselineSubgraphHeaders, exitOnSignal } from './baseline-signing.js';

interface BaselineContext {
  authorization: string | undefined;
}

const secret = process.env['INTERNAL_CONTEXT_SECRET']!;
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(process.env['SUPERGRAPH_PATH']!, 'utf8'),
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<BaselineContext>({
      url: url!,
      willSendRequest({ request, context }) {
        for (const [name, value] of Object.entries(baselineSubgraphHeaders(context.authorization, secret))) request.http?.headers.set(name, value);
      },
    }),
});
const server = new ApolloServer<BaselineContext>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port: Number(process.env['PORT']), host: '127.0.0.1' },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
exitOnSignal(() => server.stop());
console.log(`plain apollo gateway ready ${url}`);
