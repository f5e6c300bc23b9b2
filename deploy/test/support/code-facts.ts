/**
 * Facts read from the platform's code: which environment variables each deployable reads, its
 * default port, the health routes the servers answer.
 */
import { listTypeScriptFiles, readRepoFile, type NodeDeployable } from './repo.js';

const NAME = '([A-Z][A-Z0-9_]*)';
/**
 * The ways the code reads a variable:
 * - `process.env.X`, `process.env['X']`, and the same through a local `env` alias
 *   (`const env = process.env`);
 * - `requireEnv(service, 'X')` (core-service's start-up helper);
 * - the start-up files' one-line wrappers around those: `env('X')` (payment, bonus,
 *   notification: `requireEnv(SERVICE_NAME, name, fallback)`), `required('X')` (auth, gateway),
 *   `optional('X')` and `positive('X')` (notification: `process.env[name]`).
 */
const READ_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\b(?:process\\.env|env)\\.${NAME}\\b`, 'g'),
  new RegExp(`\\b(?:process\\.env|env)\\[\\s*['"\`]${NAME}['"\`]\\s*\\]`, 'g'),
  new RegExp(`\\brequireEnv\\(\\s*[^,()]+,\\s*['"\`]${NAME}['"\`]`, 'g'),
  new RegExp(`\\b(?:env|required|optional|positive)\\(\\s*['"\`]${NAME}['"\`]`, 'g'),
];

/** Variable names read in one source text. */
export function environmentReadsIn(source: string): Set<string> {
  const names = new Set<string>();
  for (const pattern of READ_PATTERNS) {
    for (const match of source.matchAll(pattern)) if (match[1] !== undefined) names.add(match[1]);
  }
  return names;
}

/**
 * Source that runs inside a deployable's image. core-service's `testing/` is the test harness
 * (`core-service/testing`), never imported by a start-up path.
 */
export function sourceFilesOf(deployable: NodeDeployable): string[] {
  const own = listTypeScriptFiles(`${deployable}/src`);
  const core = listTypeScriptFiles('core-service/src').filter((file) => !file.startsWith('core-service/src/testing/'));
  return [...own, ...core];
}

/** Variable → the files that read it, for one deployable. */
export function environmentReadsOf(deployable: NodeDeployable): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const file of sourceFilesOf(deployable)) {
    for (const name of environmentReadsIn(readRepoFile(file))) reads.set(name, [...(reads.get(name) ?? []), file]);
  }
  return reads;
}

/**
 * The port a deployable listens on by default, from its start-up file: `Number(env('PORT', '4002'))`
 * or `Number(env['PORT'] ?? 4001)`.
 */
export function defaultPortOf(deployable: NodeDeployable): number {
  const source = readRepoFile(`${deployable}/src/index.ts`);
  const match = /env\(\s*'PORT',\s*'(\d+)'\s*\)/.exec(source) ?? /env\[\s*'PORT'\s*\]\s*\?\?\s*'?(\d+)'?/.exec(source);
  if (match?.[1] === undefined) throw new Error(`${deployable}/src/index.ts: no default PORT found`);
  return Number(match[1]);
}

/** Paths a server file routes on (`url.pathname === '/…'`, or `!==` for its catch-all guard). */
function routesIn(relativePath: string): Set<string> {
  const source = readRepoFile(relativePath);
  return new Set([...source.matchAll(/url\.pathname\s*[!=]==\s*'([^']+)'/g)].map((m) => m[1] ?? ''));
}

export const SUBGRAPH_SERVER_FILE = 'core-service/src/graphql/subgraph-server.ts';
export const GATEWAY_SERVER_FILE = 'core-service/src/gateway/create-gateway.ts';

/** Routes served by every subgraph (subgraph-server.ts) or by the gateway (create-gateway.ts). */
export function serverRoutesOf(deployable: NodeDeployable): Set<string> {
  return routesIn(deployable === 'gateway' ? GATEWAY_SERVER_FILE : SUBGRAPH_SERVER_FILE);
}

/** The liveness, readiness and metrics paths, as the server source names them. */
export function healthPathsOf(deployable: NodeDeployable): { live: string; ready: string; metrics: string } {
  const routes = [...serverRoutesOf(deployable)];
  const find = (pattern: RegExp): string => {
    const path = routes.find((route) => pattern.test(route));
    if (path === undefined) throw new Error(`${deployable}: no route matching ${pattern}`);
    return path;
  };
  return { live: find(/live/), ready: find(/ready/), metrics: find(/metrics/) };
}
