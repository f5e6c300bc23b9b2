/**
 * Paths and readers shared by the deploy tests. Everything the tests compare against is read from
 * the sources (service start-up files, the health routes, package.json scripts), never restated
 * here, so a change in the code fails the test instead of silently diverging from the manifests.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

export const DEPLOY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_ROOT = join(DEPLOY_ROOT, '..');

export const SUBGRAPH_SERVICES = ['auth-service', 'payment-service', 'bonus-service', 'notification-service'] as const;
/** The Node deployables: the four subgraphs and the gateway (the app is a static bundle). */
export const NODE_DEPLOYABLES = [...SUBGRAPH_SERVICES, 'gateway'] as const;
export type NodeDeployable = (typeof NODE_DEPLOYABLES)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function readRepoFile(relativePath: string): string {
  return readFileSync(join(REPO_ROOT, relativePath), 'utf8');
}

export function readDeployFile(relativePath: string): string {
  return readFileSync(join(DEPLOY_ROOT, relativePath), 'utf8');
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new Error(`${what}: expected an object`);
  return value;
}

export function asArray(value: unknown, what: string): Json[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a list`);
  return value as Json[];
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string`);
  return value;
}

/** YAML with merge keys (`<<: *anchor`), as Compose reads it. */
export function parseYaml(text: string): Json {
  return parse(text, { merge: true }) as Json;
}

export function parseYamlDocuments(text: string, what: string): JsonObject[] {
  return parseAllDocuments(text).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`${what} document ${index}: ${document.errors.map((e) => e.message).join('; ')}`);
    return asObject(document.toJS(), `${what} document ${index}`);
  });
}

/** Every `.ts` file under a directory (recursively). */
export function listTypeScriptFiles(relativeDir: string): string[] {
  const root = join(REPO_ROOT, relativeDir);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) found.push(path.slice(REPO_ROOT.length + 1));
    }
  };
  walk(root);
  return found.sort();
}

export interface PackageJson {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
}

export function readPackageJson(workspaceDir: string): PackageJson {
  return JSON.parse(readRepoFile(join(workspaceDir, 'package.json'))) as PackageJson;
}
