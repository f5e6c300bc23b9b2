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

export interface ConfiguredSubgraph {
  name: string;
  url: string;
  critical: boolean;
}

/**
 * The subgraphs this deployment composes:
 * - `SUBGRAPHS` (`auth=http://auth:4001/graphql,payment=http://payment:4002/graphql`) names them
 *   and their URLs outright (a name not in `SUBGRAPHS` above is refused: its SDL and criticality
 *   are unknown);
 * - otherwise each known subgraph whose `*_SERVICE_URL` is set, or, in development, whose
 *   service folder exists (`hasSchema`), at that URL or its default.
 */
export function subgraphsFromEnv(env: Readonly<Record<string, string | undefined>>, hasSchema: (entry: SubgraphEntry) => boolean): ConfiguredSubgraph[] {
  const listed = env['SUBGRAPHS']?.trim();
  if (listed) {
    return listed.split(',').map((item) => {
      const [name = '', ...rest] = item.trim().split('=');
      const url = rest.join('=').trim();
      const entry = SUBGRAPHS.find((candidate) => candidate.name === name.trim());
      if (entry === undefined) throw new Error(`SUBGRAPHS: unknown subgraph "${name.trim()}" (known: ${SUBGRAPHS.map((s) => s.name).join(', ')})`);
      if (!/^https?:\/\/\S+$/.test(url)) throw new Error(`SUBGRAPHS: "${entry.name}" needs an http(s) URL, as name=url`);
      return { name: entry.name, url, critical: entry.critical };
    });
  }
  return SUBGRAPHS.filter((s) => env[s.urlEnv] !== undefined || hasSchema(s)).map((s) => ({ name: s.name, url: env[s.urlEnv] ?? s.defaultUrl, critical: s.critical }));
}
