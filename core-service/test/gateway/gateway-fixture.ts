import { randomBytes } from 'node:crypto';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import type { Redis } from 'ioredis';
import { signAccessToken, type HmacAccessTokenKeys } from '../../src/auth/index.js';
import { createServiceError } from '../../src/errors/graphql-error.js';
import { createSubgraphServer, type SubgraphContext, type SubgraphServer } from '../../src/graphql/index.js';
import { createGateway, type Gateway, type GatewayConfig } from '../../src/gateway/index.js';

/**
 * Two small subgraphs shaped like auth-service and payment-service (User owned by one, extended
 * with `wallets` by the other), so the gateway is tested on real federation without waiting for
 * the services themselves. Every subgraph request is recorded with the context it verified.
 */
export const USERS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
type User @key(fields: "id") { id: ID! tenantId: ID! displayName: String roles: [String!]! }
type Query { me: User  user(id: ID!): User  errorCodes: [String!]! }
`;

export const WALLETS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@cost", "@listSize"])
type Wallet @key(fields: "id") { id: ID! userId: ID! currency: String! balance: Int! }
type Transaction { id: ID! amount: Int! }
type TransactionEdge { cursor: String! node: Transaction! }
type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }
type TransactionConnection { nodes: [Transaction!]! edges: [TransactionEdge!]! pageInfo: PageInfo! totalCount: Int! }
type User @key(fields: "id") { id: ID! wallets: [Wallet!]! @listSize(assumedSize: 5) }
type Query {
  myWallets: [Wallet!]! @listSize(assumedSize: 5)
  wallet(currency: String!): Wallet
  transactions(first: Int, after: String): TransactionConnection! @cost(weight: 5)
}
`;

export interface SubgraphCall {
  subgraph: string;
  userId: string | null;
  tenantId: string | null;
  /** The client address the gateway signed into the context. */
  clientAddress: string | null;
  correlationId: string;
}

export interface GatewayHarness {
  gateway: Gateway;
  url: string;
  base: string;
  secret: string;
  keys: HmacAccessTokenKeys;
  calls: SubgraphCall[];
  users: SubgraphServer;
  wallets: SubgraphServer;
  supergraphSdl: string;
  token(userId: string, tenantId: string, options?: { roles?: string[]; sid?: string; ttlSeconds?: number; now?: number }): string;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any }>;
  close(): Promise<void>;
}

export function composeTestSupergraph(urls: { users: string; wallets: string }): string {
  const result = composeServices([
    { name: 'users', url: urls.users, typeDefs: parse(USERS_SDL) },
    { name: 'wallets', url: urls.wallets, typeDefs: parse(WALLETS_SDL) },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

export async function startSubgraphs(secret: string, calls: SubgraphCall[], ports: { users?: number; wallets?: number } = {}) {
  const record = (subgraph: string, ctx: SubgraphContext): void => {
    calls.push({ subgraph, userId: ctx.user?.id ?? null, tenantId: ctx.tenantId, clientAddress: ctx.clientAddress, correlationId: ctx.correlationId });
  };
  const users = createSubgraphServer({
    name: 'users',
    host: '127.0.0.1',
    ...(ports.users !== undefined ? { port: ports.users } : {}),
    typeDefs: USERS_SDL,
    contextSecret: secret,
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, ctx: SubgraphContext) => {
          record('users', ctx);
          return ctx.user ? { id: ctx.user.id, tenantId: ctx.tenantId, displayName: `user ${ctx.user.id}`, roles: ctx.user.roles } : null;
        },
        user: (_: unknown, args: { id: string }, ctx: SubgraphContext) => {
          record('users', ctx);
          if (!ctx.user) throw createServiceError('UNAUTHENTICATED', 'Sign in first');
          if (ctx.user.id !== args.id && !ctx.user.roles.includes('admin')) throw createServiceError('FORBIDDEN', 'Not your user');
          return { id: args.id, tenantId: ctx.tenantId, displayName: `user ${args.id}`, roles: [] };
        },
      },
      User: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, tenantId: 't', roles: [] }) },
    },
  });
  const wallets = createSubgraphServer({
    name: 'wallets',
    host: '127.0.0.1',
    ...(ports.wallets !== undefined ? { port: ports.wallets } : {}),
    typeDefs: WALLETS_SDL,
    contextSecret: secret,
    resolvers: {
      Query: {
        myWallets: (_: unknown, __: unknown, ctx: SubgraphContext) => {
          record('wallets', ctx);
          if (!ctx.user) throw createServiceError('UNAUTHENTICATED', 'Sign in first');
          return [{ id: `w-${ctx.user.id}`, userId: ctx.user.id, currency: 'EUR', balance: 100 }];
        },
        wallet: (_: unknown, args: { currency: string }, ctx: SubgraphContext) => {
          record('wallets', ctx);
          return ctx.user ? { id: `w-${ctx.user.id}`, userId: ctx.user.id, currency: args.currency, balance: 100 } : null;
        },
        transactions: (_: unknown, args: { first?: number }, ctx: SubgraphContext) => {
          record('wallets', ctx);
          const nodes = Array.from({ length: Math.min(args.first ?? 10, 3) }, (_x, i) => ({ id: `tx${i}`, amount: i }));
          return { nodes, edges: nodes.map((node) => ({ cursor: node.id, node })), pageInfo: { hasNextPage: false, endCursor: null }, totalCount: nodes.length };
        },
      },
      User: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        wallets: (user: { id: string }, _: unknown, ctx: SubgraphContext) => {
          record('wallets', ctx);
          return [{ id: `w-${user.id}`, userId: user.id, currency: 'EUR', balance: 100 }];
        },
      },
    },
  });
  const usersUrl = (await users.start()).url;
  const walletsUrl = (await wallets.start()).url;
  return { users, wallets, usersUrl, walletsUrl };
}

export async function startGatewayHarness(redis: Redis, brand: string, overrides: Partial<GatewayConfig> & { introspect?: boolean } = {}): Promise<GatewayHarness> {
  const secret = randomBytes(32).toString('hex');
  const keys: HmacAccessTokenKeys = { algorithm: 'HS256', secret: randomBytes(32).toString('hex'), issuer: 'auth-service', audience: 'payment-platform' };
  const calls: SubgraphCall[] = [];
  const { users, wallets, usersUrl, walletsUrl } = await startSubgraphs(secret, calls);
  const supergraphSdl = composeTestSupergraph({ users: usersUrl, wallets: walletsUrl });
  const { introspect, ...rest } = overrides;
  const gateway = createGateway({
    subgraphs: [
      { name: 'users', url: usersUrl },
      { name: 'wallets', url: walletsUrl, critical: false },
    ],
    ...(introspect ? {} : { supergraphSdl }),
    production: false,
    redis,
    brand,
    contextSecret: secret,
    tokenKeys: keys,
    sseHeartbeatMs: 200,
    ...rest,
  });
  const { url } = await gateway.start();
  const base = url.replace(/\/graphql$/, '');
  return {
    gateway,
    url,
    base,
    secret,
    keys,
    calls,
    users,
    wallets,
    supergraphSdl,
    token: (userId, tenantId, options = {}) =>
      signAccessToken({ sub: userId, tid: tenantId, roles: options.roles ?? ['user'], permissions: [], sid: options.sid ?? `s-${userId}` }, keys, {
        ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
        ...(options.now !== undefined ? { now: options.now } : {}),
      }),
    async post(body, headers = {}) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async close() {
      await gateway.stop();
      await users.stop();
      await wallets.stop();
    },
  };
}
