/**
 * The subgraphs the gateway composes: name, where its SDL lives (build-time composition) and
 * the environment variable with its URL (run time). A service that does not exist yet in the
 * repository is skipped by the compose script and by `npm start`.
 */
export interface SubgraphEntry {
  name: string;
  /** Path from the repository root to the service's subgraph SDL. */
  schemaPath: string;
  urlEnv: string;
  defaultUrl: string;
  /** Not ready when it is down (auth: nothing works without users). */
  critical: boolean;
}

export const SUBGRAPHS: readonly SubgraphEntry[] = [
  { name: 'auth', schemaPath: 'auth-service/src/schema.graphql', urlEnv: 'AUTH_SERVICE_URL', defaultUrl: 'http://127.0.0.1:4001/graphql', critical: true },
  { name: 'payment', schemaPath: 'payment-service/src/schema.graphql', urlEnv: 'PAYMENT_SERVICE_URL', defaultUrl: 'http://127.0.0.1:4002/graphql', critical: true },
  { name: 'bonus', schemaPath: 'bonus-service/src/schema.graphql', urlEnv: 'BONUS_SERVICE_URL', defaultUrl: 'http://127.0.0.1:4003/graphql', critical: false },
  { name: 'notification', schemaPath: 'notification-service/src/schema.graphql', urlEnv: 'NOTIFICATION_SERVICE_URL', defaultUrl: 'http://127.0.0.1:4004/graphql', critical: false },
];
