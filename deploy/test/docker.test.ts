import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execForm, loadDockerfile, parseDockerfile, resolveImage, type Dockerfile } from './support/manifests.js';
import { DEPLOY_ROOT, listTypeScriptFiles, NODE_DEPLOYABLES, readDeployFile, readPackageJson, readRepoFile, type NodeDeployable } from './support/repo.js';

/** Workspace package name → folder, from the root package.json. */
const WORKSPACES: Map<string, string> = new Map(
  (JSON.parse(readRepoFile('package.json')) as { workspaces: string[] }).workspaces.flatMap((dir) => {
    try {
      return [[readPackageJson(dir).name, dir] as const];
    } catch {
      return []; // listed but not created yet (app/)
    }
  }),
);

const NODE_VERSION = (JSON.parse(readRepoFile('package.json')) as { devDependencies: Record<string, string> }).devDependencies['node'];

/** The workspaces a deployable's dependencies reach (package.json `dependencies`, transitively). */
function workspaceClosure(folder: string): string[] {
  const seen = new Set<string>([folder]);
  const visit = (dir: string): void => {
    for (const dependency of Object.keys(readPackageJson(dir).dependencies ?? {})) {
      const workspace = WORKSPACES.get(dependency);
      if (workspace !== undefined && !seen.has(workspace)) {
        seen.add(workspace);
        visit(workspace);
      }
    }
  };
  visit(folder);
  return [...seen].sort();
}

/** Of those, the ones whose package some source in the closure actually imports (or the deployable itself). */
function importedWorkspaces(folder: string): string[] {
  const closure = workspaceClosure(folder);
  const sources = closure.flatMap((dir) => listTypeScriptFiles(`${dir}/src`).filter((file) => !file.includes('/testing/'))).map(readRepoFile);
  return closure
    .filter((dir) => {
      if (dir === folder) return true;
      const name = readPackageJson(dir).name;
      const pattern = new RegExp(`from '${name}(/[^']*)?'|import\\('${name}(/[^']*)?'\\)`);
      return sources.some((source) => pattern.test(source));
    })
    .sort();
}

/** What every image must be: multi-stage on pinned images, npm ci, non-root, a HEALTHCHECK. */
function dockerfileProblems(dockerfile: Dockerfile): string[] {
  const problems: string[] = [];
  if (dockerfile.stages.length < 2) problems.push('not multi-stage');
  const stageNames = new Set(dockerfile.stages.map((stage) => stage.name));
  for (const stage of dockerfile.stages) {
    const image = resolveImage(dockerfile, stage.from);
    if (stageNames.has(image)) continue;
    if (!/^[\w./-]+:[\w.-]+$/.test(image) || image.endsWith(':latest')) problems.push(`image not pinned by tag: ${image}`);
    if (image.startsWith('node:') && image !== `node:${NODE_VERSION}-slim`) problems.push(`node image ${image} is not node:${NODE_VERSION}-slim`);
  }
  const runs = dockerfile.stages.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
  if (!runs.some((run) => /\bnpm ci\b/.test(run))) problems.push('no npm ci');
  if (runs.some((run) => /\bnpm (install|i)\b/.test(run))) problems.push('npm install instead of npm ci');
  const runtime = dockerfile.stages.at(-1)?.instructions ?? [];
  const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
  if (user === undefined || !/^[1-9]\d*(:[1-9]\d*)?$/.test(user)) problems.push(`runtime user is not a numeric non-root uid: ${String(user)}`);
  if (!runtime.some((i) => i.keyword === 'HEALTHCHECK')) problems.push('no HEALTHCHECK');
  return problems;
}

describe('Dockerfiles', () => {
  it('there is one per deployable and the app', () => {
    const files = readdirSync(join(DEPLOY_ROOT, 'docker')).filter((file) => file.endsWith('.Dockerfile'));
    expect(files.sort()).toEqual([...NODE_DEPLOYABLES, 'app'].map((name) => `${name}.Dockerfile`).sort());
  });

  for (const name of [...NODE_DEPLOYABLES, 'app']) {
    it(`${name}: multi-stage on pinned images (Node ${NODE_VERSION} slim), npm ci, non-root, HEALTHCHECK`, () => {
      expect(dockerfileProblems(loadDockerfile(name))).toEqual([]);
    });
  }

  it('a Dockerfile without those is reported (the check can fail)', () => {
    const broken = parseDockerfile(['FROM node:latest', 'WORKDIR /app', 'COPY . .', 'RUN npm install', 'USER root', 'CMD ["npm", "start"]'].join('\n'));
    expect(dockerfileProblems(broken)).toEqual([
      'not multi-stage',
      'image not pinned by tag: node:latest',
      `node image node:latest is not node:${NODE_VERSION}-slim`,
      'no npm ci',
      'npm install instead of npm ci',
      'runtime user is not a numeric non-root uid: root',
      'no HEALTHCHECK',
    ]);
  });

  for (const deployable of NODE_DEPLOYABLES) {
    describe(deployable, () => {
      const dockerfile = loadDockerfile(deployable);
      const runtime = dockerfile.stages.at(-1)?.instructions ?? [];

      it("runs what the workspace's start script runs, with node itself as the process", () => {
        const start = readPackageJson(deployable).scripts?.['start'] ?? '';
        const [runner, ...args] = start.split(/\s+/);
        expect(runner).toBe('tsx');
        const entry = args.at(-1) ?? '';
        const cmd = execForm(runtime.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '');
        expect(cmd[0]).toBe('node');
        expect(cmd.at(-1)).toBe(entry);
        // Every flag of the start script (conditions, --import hooks), tsx's loader first.
        for (const flag of args.slice(0, -1)) expect(cmd).toContain(flag);
        const imports = cmd.flatMap((arg, index) => (arg === '--import' ? [cmd[index + 1]] : []));
        expect(imports[0]).toBe('tsx');
        expect(runtime.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args).toBe(`/app/${deployable}`);
      });

      it('copies only the workspaces it needs into the runtime image', () => {
        const copied = new Set(
          runtime
            .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
            .flatMap((i) => i.args.split(/\s+/).slice(0, -1))
            .map((source) => /^([\w.-]+(?:\/[\w.-]+)?)\/src$/.exec(source)?.[1])
            .filter((dir): dir is string => dir !== undefined),
        );
        expect([...copied].sort()).toEqual(importedWorkspaces(deployable));
        // The engine is core-service's optional peer (for core-service/testing), never a dependency.
        expect(workspaceClosure(deployable)).not.toContain('scripts/embedded-mongo');
        // The install is narrowed to the same workspaces before `npm ci --omit=dev`, and their
        // own node_modules are the ones copied out.
        const install = dockerfile.stages
          .flatMap((stage) => stage.instructions)
          .filter((i) => i.keyword === 'RUN')
          .map((i) => i.args)
          .join('\n');
        const narrowed = /p\.workspaces = process\.argv\.slice\(1\);[^"]*" ([\w ./-]+?) \\?\s*&& npm ci --ignore-scripts --omit=dev/.exec(install)?.[1]?.split(' ');
        expect(narrowed?.sort()).toEqual(importedWorkspaces(deployable));
        expect(/for workspace in ([\w -]+); do/.exec(install)?.[1]?.split(' ').sort()).toEqual(importedWorkspaces(deployable));
      });
    });
  }

  it('the gateway image contains the supergraph it serves in production', () => {
    const path = /SUPERGRAPH_PATH = join\(REPO_ROOT, '([^']+)'\)/.exec(readRepoFile('gateway/src/compose.ts'))?.[1];
    expect(path).toBe('gateway/supergraph.graphql');
    const runtime = loadDockerfile('gateway').stages.at(-1)?.instructions ?? [];
    expect(runtime.some((i) => i.keyword === 'COPY' && i.args.startsWith(`${String(path)} `))).toBe(true);
  });

  it('the app image builds `npm run build -w app` and serves it with unprivileged nginx', () => {
    const dockerfile = loadDockerfile('app');
    const runs = dockerfile.stages.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
    expect(runs.some((run) => run.includes('npm run build -w app'))).toBe(true);
    expect(resolveImage(dockerfile, dockerfile.stages.at(-1)?.from ?? '')).toMatch(/^nginxinc\/nginx-unprivileged:/);
  });

  it('every Dockerfile has its ignore file, all identical to docker/.dockerignore, keeping dependencies and secrets out', () => {
    const shared = readDeployFile('docker/.dockerignore');
    for (const name of [...NODE_DEPLOYABLES, 'app']) expect(readDeployFile(`docker/${name}.Dockerfile.dockerignore`), name).toBe(shared);
    const patterns = shared.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    for (const pattern of ['**/node_modules', '.git', '**/.env', 'deploy/secrets']) expect(patterns).toContain(pattern);
    expect(patterns.some((p) => /package(-lock)?\.json|tsconfig|^\*\*?\/?src/.test(p))).toBe(false);
  });
});

export type { NodeDeployable };
