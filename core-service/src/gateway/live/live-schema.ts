import { extendSchema, parse, type GraphQLSchema } from 'graphql';

/** The live-update fields of the public API (shared/API.md, Live updates) and their types. */
const SUBSCRIPTION_FIELDS: Record<string, { type: string; description: string }> = {
  walletUpdated: { type: 'Wallet!', description: "The caller's wallets, after every balance change." },
  transferStatusChanged: { type: 'Transfer!', description: 'Transfers the caller is party to, on every status change.' },
  notificationReceived: { type: 'Notification!', description: "The caller's new notifications." },
  bonusUpdated: { type: 'UserBonus!', description: "The caller's bonuses: awarded, progress, converted, expired, cancelled." },
};

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
 * The gateway's API schema with every live field. The services declare `Subscription` fields in
 * their SDL, so the composed schema (introspection, the checked-in supergraph, client codegen)
 * shows them; a field whose service is not composed yet (notificationReceived) is added here so
 * the push layer can still validate and shape it. The subgraphs never serve subscriptions: the
 * push layer is the gateway's.
 */
export function buildLiveSchema(apiSchema: GraphQLSchema): GraphQLSchema {
  const existing = apiSchema.getSubscriptionType()?.getFields() ?? {};
  const missingFields = Object.entries(SUBSCRIPTION_FIELDS).filter(([name]) => existing[name] === undefined);
  if (missingFields.length === 0) return apiSchema;
  const missingTypes =
    (apiSchema.getType('Notification') ? '' : NOTIFICATION_FALLBACK_SDL) +
    ['Wallet', 'Transfer', 'UserBonus']
      .filter((name) => !apiSchema.getType(name))
      .map((name) => `type ${name} { id: ID! }`)
      .join('\n');
  const fields = missingFields.map(([name, field]) => `  ${JSON.stringify(field.description)}\n  ${name}: ${field.type}`).join('\n');
  const subscription = apiSchema.getSubscriptionType()
    ? `extend type ${apiSchema.getSubscriptionType()!.name} {\n${fields}\n}`
    : `extend schema { subscription: Subscription }\ntype Subscription {\n${fields}\n}`;
  return extendSchema(apiSchema, parse(`${subscription}\n${missingTypes}`), { assumeValidSDL: true });
}
