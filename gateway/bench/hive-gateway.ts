/**
 * The reference for JavaScript gateways: Hive Gateway's runtime (`createGatewayRuntime`) on
 * node:http and the same supergraph, with no plugin but the signed subgraph context our
 * subgraphs require (baseline-signing.ts). Env: PORT, SUPERGRAPH_PATH, INTERNAL_CONTEXT_SECRET.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGatewayRuntime, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { print, type DocumentNode, type ExecutionResult } from 'graphql';
import { baselineSubgraphHeaders, exitOnSignal } from './baseline-signing.js';

const secret = process.env['INTERNAL_CONTEXT_SECRET']!;
const signing: GatewayPlugin = {
  onFetch({ context, options, setOptions }) {
    // Without a request: the runtime's own fetches (none with a static supergraph).
    const request = 'request' in context ? (context.request as Request) : undefined;
    const signed = baselineSubgraphHeaders(request?.headers.get('authorization'), secret);
    setOptions({ ...options, headers: { ...(options.headers as Record<string, string> | undefined), ...signed } });
  },
};
/**
 * The `http` transport. The runtime loads `@graphql-mesh/transport-http` for it, a dependency of
 * the full `@graphql-hive/gateway` that the runtime alone does not install; its core is "print
 * the document once, POST it as JSON through the runtime's fetch (which runs the `onFetch`
 * hooks), parse the answer", which is all this does (no retries, batching or subscriptions,
 * none of which the bench uses).
 */
const printed = new WeakMap<DocumentNode, string>();
const httpTransport = {
  getSubgraphExecutor({ transportEntry, fetch }: { transportEntry: { location?: string }; fetch?: (url: string, init: RequestInit, context?: unknown, info?: unknown) => Promise<Response> }) {
    return async (request: { document: DocumentNode; variables?: Record<string, unknown>; operationName?: string; context?: unknown; info?: unknown }): Promise<ExecutionResult> => {
      let query = printed.get(request.document);
      if (query === undefined) printed.set(request.document, (query = print(request.document)));
      const response = await fetch!(
        transportEntry.location!,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query, variables: request.variables, operationName: request.operationName }),
        },
        request.context,
        request.info,
      );
      return (await response.json()) as ExecutionResult;
    };
  },
};

const runtime = createGatewayRuntime({
  supergraph: readFileSync(process.env['SUPERGRAPH_PATH']!, 'utf8'),
  logging: 'error',
  landingPage: false,
  graphiql: false,
  plugins: () => [signing],
  transports: { http: httpTransport as never },
});
const server = createServer(runtime.requestListener);
await new Promise<void>((resolve) => server.listen(Number(process.env['PORT']), '127.0.0.1', resolve));
exitOnSignal(async () => {
  server.close();
  await runtime.dispose();
});
console.log(`hive gateway ready http://127.0.0.1:${process.env['PORT']}/graphql`);
