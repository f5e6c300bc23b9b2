import { createHash } from 'node:crypto';
import { createServiceError } from '../errors/graphql-error.js';
import type { GatewayPlugin } from './gateway-plugin.js';

export interface UsePersistedOperationsConfig {
  /** sha256 hex → document: the operations the clients ship (e.g. the app's build output). */
  operations: ReadonlyMap<string, string>;
  /** Reject every document not in `operations` (APQ registrations of unknown documents too). */
  only: boolean;
}

export const PERSISTED_QUERY_NOT_ALLOWED = 'PERSISTED_QUERY_NOT_ALLOWED';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Persisted-only mode: in production the gateway can refuse anything the clients were not
 * built with, which makes the cost limit a second line rather than the only one. The same
 * manifest warms the APQ cache and the query plan cache at start-up (see createGateway).
 */
export function usePersistedOperations(config: UsePersistedOperationsConfig): GatewayPlugin {
  return {
    name: 'persisted-operations',
    onOperation({ source }) {
      if (!config.only) return;
      if (!config.operations.has(sha256Hex(source))) {
        throw createServiceError(PERSISTED_QUERY_NOT_ALLOWED, 'Only persisted operations are accepted');
      }
    },
  };
}
