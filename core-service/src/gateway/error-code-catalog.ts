import { ApolloServerErrorCode } from '@apollo/server/errors';
import { Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { CORE_ERROR_CODES } from '../errors/core-errors.js';
import { signUserContext } from '../graphql/context-signing.js';
import type { Logger } from '../logger/logger.js';

/** Codes the gateway answers with itself (Apollo Server's request errors and the SDK's own). */
export const GATEWAY_ERROR_CODES: readonly string[] = [...new Set([...Object.values(ApolloServerErrorCode), ...CORE_ERROR_CODES])];

export interface ErrorCodeCatalogOptions {
  subgraphs: ReadonlyArray<{ name: string; url: string }>;
  contextSecret: string;
  logger: Logger;
  /** Per subgraph request. Default 2 s. */
  timeoutMs?: number;
}

/**
 * `errorCodes` through the gateway: every subgraph declares the field (shareable), so the query
 * planner asks one of them and a client saw that service's codes only. The catalog asks every
 * subgraph (signed, as the gateway asks anything), adds the gateway's own codes, and the
 * response's `errorCodes` fields are set to that union. Refreshed whenever the supergraph loads
 * or changes, and on demand when a subgraph did not answer before.
 */
export class ErrorCodeCatalog {
  readonly #options: ErrorCodeCatalogOptions;
  readonly #bySubgraph = new Map<string, readonly string[]>();
  #refreshing: Promise<void> | undefined;

  constructor(options: ErrorCodeCatalogOptions) {
    this.#options = options;
  }

  refresh(): Promise<void> {
    this.#refreshing ??= this.#fetchAll().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  /** The union, sorted; asks the subgraphs that have not answered yet first. */
  async codes(): Promise<string[]> {
    if (this.#options.subgraphs.some((subgraph) => !this.#bySubgraph.has(subgraph.name))) await this.refresh();
    const all = new Set<string>(GATEWAY_ERROR_CODES);
    for (const codes of this.#bySubgraph.values()) for (const code of codes) all.add(code);
    return [...all].sort();
  }

  /** Sets every root `errorCodes` field of a response (aliases included) to the union. */
  async fill(operation: OperationDefinitionNode | undefined, data: Record<string, unknown> | null | undefined): Promise<void> {
    if (operation?.operation !== 'query' || data === null || data === undefined) return;
    const keys = rootResponseKeys(operation.selectionSet, 'errorCodes').filter((key) => Array.isArray(data[key]));
    if (keys.length === 0) return;
    const codes = await this.codes();
    for (const key of keys) data[key] = codes;
  }

  async #fetchAll(): Promise<void> {
    const { subgraphs, contextSecret, logger } = this.#options;
    await Promise.all(
      subgraphs.map(async (subgraph) => {
        try {
          const response = await fetch(subgraph.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...signUserContext({ correlationId: 'gateway-error-codes' }, contextSecret) },
            body: JSON.stringify({ query: '{ errorCodes }' }),
            signal: AbortSignal.timeout(this.#options.timeoutMs ?? 2_000),
          });
          const body = (await response.json()) as { data?: { errorCodes?: unknown } };
          const codes = body.data?.errorCodes;
          if (Array.isArray(codes) && codes.every((code) => typeof code === 'string')) this.#bySubgraph.set(subgraph.name, codes);
        } catch (error) {
          logger.debug({ subgraph: subgraph.name, err: error }, 'error codes not fetched from subgraph (retried on the next errorCodes query)');
        }
      }),
    );
  }
}

/** Response keys of the root fields named `field`, through inline fragments. */
function rootResponseKeys(selectionSet: SelectionSetNode, field: string): string[] {
  const keys: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD && selection.name.value === field) keys.push(selection.alias?.value ?? field);
    if (selection.kind === Kind.INLINE_FRAGMENT) keys.push(...rootResponseKeys(selection.selectionSet, field));
  }
  return keys;
}
