import type { GraphQLDataSourceProcessOptions, SupergraphManager } from '@apollo/gateway';
import type { Logger } from '../logger/logger.js';
import { composeSupergraphSdl } from './compose-subgraphs.js';

export interface SubgraphDefinition {
  name: string;
  url: string;
}

// The package's root does not export the request-kind enum; this is its LOADING_SCHEMA value.
const LOADING_SCHEMA = 'loading schema' as GraphQLDataSourceProcessOptions['kind'];
const SERVICE_SDL_QUERY = 'query __ApolloGetServiceDefinition__ { _service { sdl } }';

/**
 * Development: compose from the running subgraphs, retrying until every one of them answers,
 * so the gateway may start before, after or between the services; then poll for schema changes.
 *
 * Apollo's IntrospectAndCompose does the same fetch-and-compose but fails `load()` on the first
 * unreachable subgraph and composes the SDLs exactly as served, so the convention fields every
 * subgraph declares (`errorCodes`, see compose-subgraphs.ts) would not compose. The SDL is
 * fetched through the gateway's own data sources, so the request is signed like any other.
 */
export function introspectWithRetries(options: {
  subgraphs: readonly SubgraphDefinition[];
  logger: Logger;
  pollIntervalMs?: number;
  maxDelayMs?: number;
  /** Give up after this long (0: never). Default 0. */
  timeoutMs?: number;
}): SupergraphManager {
  let stopped = false;
  let poll: NodeJS.Timeout | undefined;
  return {
    async initialize({ update, getDataSource }) {
      const compose = async (): Promise<string> => {
        const sdls = await Promise.all(
          options.subgraphs.map(async (subgraph) => {
            const response = await getDataSource(subgraph).process({
              kind: LOADING_SCHEMA,
              request: { query: SERVICE_SDL_QUERY },
              context: {},
            } as GraphQLDataSourceProcessOptions);
            const sdl = (response.data as { _service?: { sdl?: string } } | undefined)?._service?.sdl;
            if (typeof sdl !== 'string') throw new Error(`${subgraph.name}: no SDL in the _service answer${response.errors ? `: ${response.errors.map((e) => e.message).join('; ')}` : ''}`);
            return { ...subgraph, sdl };
          }),
        );
        return composeSupergraphSdl(sdls);
      };
      const started = Date.now();
      let supergraphSdl: string;
      for (let attempt = 1; ; attempt++) {
        try {
          supergraphSdl = await compose();
          options.logger.info({ attempt, subgraphs: options.subgraphs.map((s) => s.name) }, 'supergraph composed from running subgraphs');
          break;
        } catch (error) {
          if (stopped || (options.timeoutMs && Date.now() - started > options.timeoutMs)) throw error;
          const delay = Math.min(options.maxDelayMs ?? 5_000, 100 * 2 ** Math.min(attempt, 10));
          options.logger.warn({ attempt, delayMs: delay, err: error instanceof Error ? error.message : error }, 'subgraphs not composable yet; retrying');
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
      let current = supergraphSdl;
      if (options.pollIntervalMs) {
        poll = setInterval(() => {
          compose()
            .then((next) => {
              if (next !== current) {
                current = next;
                update(next);
                options.logger.info('supergraph changed; recomposed');
              }
            })
            .catch((error: unknown) => options.logger.warn({ err: error instanceof Error ? error.message : error }, 'recomposition failed; keeping the current supergraph'));
        }, options.pollIntervalMs);
        poll.unref();
      }
      return {
        supergraphSdl,
        cleanup: async () => {
          stopped = true;
          if (poll) clearInterval(poll);
        },
      };
    },
  };
}
