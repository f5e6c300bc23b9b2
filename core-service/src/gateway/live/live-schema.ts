import { extendSchema, parse, type GraphQLSchema } from 'graphql';

/** The live-update operations of the public API (shared/API.md, Live updates). */
export const SUBSCRIPTION_SDL = `
extend schema { subscription: Subscription }
type Subscription {
  "The caller's wallets, after every balance change."
  walletUpdated: Wallet!
  "Transfers the caller is party to, on every status change."
  transferStatusChanged: Transfer!
  notificationReceived: Notification!
  "The caller's bonuses: awarded, progress, converted, expired, cancelled."
  bonusUpdated: UserBonus!
}
`;

// Until notification-service composes into the supergraph, the type is declared here.
const NOTIFICATION_FALLBACK_SDL = `
type Notification {
  id: ID!
  type: String
  title: String
  body: String
  createdAt: String
}
`;

/**
 * The gateway's API schema plus `Subscription`. The subgraphs do not serve subscriptions (the
 * push layer is the gateway's), so the type cannot come through composition; subscription
 * documents are validated against this schema and their payloads shaped with it.
 */
export function buildLiveSchema(apiSchema: GraphQLSchema): GraphQLSchema {
  const missing = apiSchema.getType('Notification') ? '' : NOTIFICATION_FALLBACK_SDL;
  const stubs = ['Wallet', 'Transfer', 'UserBonus']
    .filter((name) => !apiSchema.getType(name))
    .map((name) => `type ${name} { id: ID! }`)
    .join('\n');
  return extendSchema(apiSchema, parse(SUBSCRIPTION_SDL + missing + stubs), { assumeValidSDL: true });
}
