import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SUBGRAPH_SERVICES } from './support/repo.js';

/**
 * Package boundaries: every workspace declares what it imports, and a deployable's production
 * install holds only what it runs. A subgraph never gets the gateway stack (core-service/gateway's
 * dependencies are optional peers of core-service, real dependencies of the gateway), and nothing
 * deployable gets the embedded engine or vitest (core-service/testing's optional peers, which the
 * packages whose tests use them declare as devDependencies).
 */
interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const WORKSPACES = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
const BUILTINS = new Set(builtinModules);
const SOURCE_FILE = /\.(ts|tsx|mts|mjs|js)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'data', 'screenshots', 'gql', 'coverage']);
// Static imports and re-exports with a `from` clause, dynamic imports, requires, bare side-effect imports.
const SPECIFIER = /(?:^|[^.\w])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function manifest(workspace: string): Manifest {
  return JSON.parse(readFileSync(join(REPO_ROOT, workspace, 'package.json'), 'utf8')) as Manifest;
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (SKIPPED_DIRS.has(entry)) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return SOURCE_FILE.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`); undefined for relative paths and Node's modules. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || specifier.startsWith('virtual:')) return undefined;
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  return BUILTINS.has(name) ? undefined : name;
}

/** A file runs in production when it is under `src/` and is not a test fixture (`src/testing/`). */
function isRuntime(workspace: string, file: string): boolean {
  const relative = file.slice(join(REPO_ROOT, workspace).length + 1);
  return relative.startsWith('src/') && !relative.startsWith('src/testing/') && !/\.test\.tsx?$/.test(relative);
}

function undeclaredImports(workspace: string): string[] {
  const pkg = manifest(workspace);
  const runtime = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const any = new Set([...runtime, ...Object.keys(pkg.devDependencies ?? {})]);
  const problems: string[] = [];
  for (const file of sourceFiles(join(REPO_ROOT, workspace))) {
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const name = packageOf(match[1] ?? match[2] ?? match[3] ?? match[4] ?? '');
      if (name === undefined) continue;
      const production = isRuntime(workspace, file);
      if (!(production ? runtime : any).has(name)) problems.push(`${file.slice(REPO_ROOT.length + 1)} imports ${name} (${production ? 'dependencies' : 'devDependencies'})`);
    }
  }
  return [...new Set(problems)];
}

interface LsNode {
  dependencies?: Record<string, LsNode>;
}

/**
 * What each workspace's production install holds, from one `npm ls --omit=dev --all --json` of
 * the whole repository (one call: under a loaded CI machine each takes tens of seconds). npm
 * prints a package's dependencies once and marks later occurrences deduped, so the tree is
 * flattened into name → dependency names, then walked from the workspace.
 */
function productionClosures(): (workspace: string) => string[] {
  const output = execFileSync('npm', ['ls', '--omit=dev', '--all', '--json'], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const root = JSON.parse(output) as LsNode;
  const edges = new Map<string, Set<string>>();
  const visit = (name: string, node: LsNode): void => {
    const children = Object.entries(node.dependencies ?? {});
    const known = edges.get(name) ?? new Set<string>();
    edges.set(name, known);
    for (const [child, childNode] of children) {
      known.add(child);
      visit(child, childNode);
    }
  };
  for (const [name, node] of Object.entries(root.dependencies ?? {})) visit(name, node);
  return (workspace) => {
    const seen = new Set<string>();
    const queue = [...(edges.get(workspace) ?? [])];
    while (queue.length > 0) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      queue.push(...(edges.get(name) ?? []));
    }
    return [...seen];
  };
}

const ENGINE_AND_TEST = ['embedded-mongo', 'vitest'];
// (negotiator and proxy-addr, also gateway-only imports, come with @apollo/server anyway.)
const GATEWAY_STACK = ['@apollo/gateway', '@apollo/composition', 'socket.io', '@socket.io/redis-adapter', '@graphql-yoga/render-graphiql'];

describe('package boundaries', () => {
  let productionClosure: (workspace: string) => string[];
  beforeAll(() => {
    productionClosure = productionClosures();
  }, 180_000);

  it.each(WORKSPACES)('%s declares every package it imports', (workspace) => {
    expect(undeclaredImports(workspace)).toEqual([]);
  });

  it('names packages as npm does', () => {
    expect(packageOf('@apollo/server/plugin/disabled')).toBe('@apollo/server');
    expect(packageOf('core-service/testing')).toBe('core-service');
    expect(packageOf('node:fs')).toBeUndefined();
    expect(packageOf('crypto')).toBeUndefined();
    expect(packageOf('./local.js')).toBeUndefined();
  });

  it.each(SUBGRAPH_SERVICES)("%s's production install holds neither the embedded engine, nor vitest, nor the gateway stack", (service) => {
    const closure = productionClosure(service);
    expect(closure).toContain('core-service');
    expect(closure).toContain('mongodb');
    expect(closure.filter((name) => [...ENGINE_AND_TEST, ...GATEWAY_STACK].includes(name))).toEqual([]);
  });

  it("the gateway's production install has its stack and neither the engine nor vitest", () => {
    const closure = productionClosure('gateway');
    expect(closure).toEqual(expect.arrayContaining(GATEWAY_STACK));
    expect(closure.filter((name) => ENGINE_AND_TEST.includes(name))).toEqual([]);
  });
});
