import { IntrospectAndCompose, type SupergraphManager } from '@apollo/gateway';
import type { Logger } from '../logger/logger.js';

export interface SubgraphDefinition {
  name: string;
  url: string;
}

/**
 * Development: compose from the running subgraphs, retrying until every one of them answers,
 * so the gateway may start before, after or between the services. IntrospectAndCompose alone
 * fails `load()` on the first unreachable subgraph; this wraps its `initialize` in a retry with
 * capped exponential back-off and then lets it poll for schema changes.
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
  return {
    async initialize(hooks) {
      const started = Date.now();
      for (let attempt = 1; ; attempt++) {
        const manager = new IntrospectAndCompose({
          subgraphs: options.subgraphs.map((s) => ({ name: s.name, url: s.url })),
          ...(options.pollIntervalMs !== undefined ? { pollIntervalInMs: options.pollIntervalMs } : {}),
        });
        try {
          const result = await manager.initialize(hooks);
          options.logger.info({ attempt, subgraphs: options.subgraphs.map((s) => s.name) }, 'supergraph composed from running subgraphs');
          return { supergraphSdl: result.supergraphSdl, cleanup: async () => { stopped = true; await result.cleanup(); } };
        } catch (error) {
          if (stopped) throw error;
          if (options.timeoutMs && Date.now() - started > options.timeoutMs) throw error;
          const delay = Math.min(options.maxDelayMs ?? 5_000, 200 * 2 ** Math.min(attempt, 10));
          options.logger.warn({ attempt, delayMs: delay, err: error instanceof Error ? error.message : error }, 'subgraphs not composable yet; retrying');
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },
  };
}
