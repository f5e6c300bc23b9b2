/**
 * Readers of the deploy files: the compose stack, the Kubernetes manifests, the Dockerfiles and
 * the environment allow-list in deploy/README.md.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { asArray, asObject, asString, DEPLOY_ROOT, isObject, parseYaml, parseYamlDocuments, readDeployFile, type Json, type JsonObject } from './repo.js';

// ── Compose ────────────────────────────────────────────────────────────────────────────────

export function loadCompose(): JsonObject {
  return asObject(parseYaml(readDeployFile('compose.yaml')), 'compose.yaml');
}

export function composeServices(compose: JsonObject): Record<string, JsonObject> {
  const services = asObject(compose['services'], 'compose services');
  return Object.fromEntries(Object.entries(services).map(([name, service]) => [name, asObject(service, `service ${name}`)]));
}

/** A compose service's environment as a map, from either the map or the list form. */
export function composeEnvironment(service: JsonObject): Record<string, string> {
  const environment = service['environment'];
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const text = asString(entry, 'environment entry');
        const index = text.indexOf('=');
        return index === -1 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(asObject(environment, 'environment')).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** The healthcheck test of a compose service as one string. */
export function composeHealthcheck(service: JsonObject): string | undefined {
  const healthcheck = service['healthcheck'];
  if (!isObject(healthcheck)) return undefined;
  const test = healthcheck['test'];
  return Array.isArray(test) ? test.map(String).join(' ') : typeof test === 'string' ? test : undefined;
}

// ── Kubernetes ─────────────────────────────────────────────────────────────────────────────

export const K8S_DIR = 'k8s';
/** Applied separately (or replaced by an external secret manager), never by kustomize. */
export const SECRET_TEMPLATE_FILE = 'secrets.yaml';

export interface KubernetesObject {
  file: string;
  object: JsonObject;
}

export function kubernetesManifestFiles(): string[] {
  return readdirSync(join(DEPLOY_ROOT, K8S_DIR))
    .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
    .sort();
}

export function loadKubernetesObjects(): KubernetesObject[] {
  return kubernetesManifestFiles().flatMap((file) => parseYamlDocuments(readDeployFile(join(K8S_DIR, file)), file).map((object) => ({ file, object })));
}

export function kindOf(object: JsonObject): string {
  return asString(object['kind'], 'kind');
}

export function nameOf(object: JsonObject): string {
  return asString(asObject(object['metadata'], 'metadata')['name'], 'metadata.name');
}

export function findObject(objects: readonly KubernetesObject[], kind: string, name: string): JsonObject {
  const found = objects.find(({ object }) => kindOf(object) === kind && nameOf(object) === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found.object;
}

export function podSpecOf(deployment: JsonObject): JsonObject {
  const spec = asObject(deployment['spec'], 'spec');
  return asObject(asObject(asObject(spec['template'], 'template')['spec'], 'template.spec'), 'pod spec');
}

export function containersOf(deployment: JsonObject): JsonObject[] {
  return asArray(podSpecOf(deployment)['containers'], 'containers').map((c) => asObject(c, 'container'));
}

export function podLabelsOf(deployment: JsonObject): Record<string, string> {
  const template = asObject(asObject(deployment['spec'], 'spec')['template'], 'template');
  return asObject(asObject(template['metadata'], 'template.metadata')['labels'], 'template labels') as Record<string, string>;
}

/** Keys a ConfigMap or Secret provides (data and stringData). */
export function keysOf(object: JsonObject): string[] {
  return [...Object.keys(isObject(object['data']) ? object['data'] : {}), ...Object.keys(isObject(object['stringData']) ? object['stringData'] : {})];
}

/**
 * The variables a Deployment's container receives: `env` entries plus every key of the
 * ConfigMaps and Secrets named by `envFrom` (looked up among the manifests, so a reference to a
 * missing object fails).
 */
export function containerEnvironment(objects: readonly KubernetesObject[], container: JsonObject): Map<string, string> {
  const sources = new Map<string, string>();
  for (const entry of Array.isArray(container['envFrom']) ? container['envFrom'] : []) {
    const from = asObject(entry, 'envFrom');
    for (const [field, kind] of [
      ['configMapRef', 'ConfigMap'],
      ['secretRef', 'Secret'],
    ] as const) {
      const ref = from[field];
      if (!isObject(ref)) continue;
      const name = asString(ref['name'], `${field}.name`);
      for (const key of keysOf(findObject(objects, kind, name))) sources.set(key, `${kind}/${name}`);
    }
  }
  for (const entry of Array.isArray(container['env']) ? container['env'] : []) {
    sources.set(asString(asObject(entry, 'env')['name'], 'env.name'), 'env');
  }
  return sources;
}

// ── Dockerfiles ────────────────────────────────────────────────────────────────────────────

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface Dockerfile {
  /** ARG defaults declared before the first FROM. */
  globalArgs: Record<string, string>;
  stages: Array<{ from: string; name: string | undefined; instructions: DockerInstruction[] }>;
}

export function parseDockerfile(text: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && (line.trim() === '' || line.trimStart().startsWith('#'))) continue;
    if (pending !== '' && line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  const result: Dockerfile = { globalArgs: {}, stages: [] };
  for (const line of logical) {
    const space = line.search(/\s/);
    const keyword = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const args = space === -1 ? '' : line.slice(space + 1).trim();
    if (keyword === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      result.stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    const stage = result.stages.at(-1);
    if (stage === undefined) {
      if (keyword === 'ARG') {
        const [key = '', value = ''] = args.split('=');
        result.globalArgs[key] = value;
      }
      continue;
    }
    stage.instructions.push({ keyword, args });
  }
  return result;
}

/** `${NODE_IMAGE}` → the ARG's default. */
export function resolveImage(dockerfile: Dockerfile, from: string): string {
  return from.replace(/\$\{?([A-Z_]+)\}?/g, (_, name: string) => dockerfile.globalArgs[name] ?? `\${${name}}`);
}

export function loadDockerfile(name: string): Dockerfile {
  return parseDockerfile(readDeployFile(`docker/${name}.Dockerfile`));
}

/** An exec-form instruction's argument list (`CMD ["node", ...]`). */
export function execForm(args: string): string[] {
  const start = args.indexOf('[');
  if (start === -1) throw new Error(`not exec form: ${args}`);
  return JSON.parse(args.slice(start)) as string[];
}

// ── Environment allow-list (deploy/README.md) ──────────────────────────────────────────────

export interface AllowListEntry {
  variables: string[];
  /** Deployables it may be left unset for; `all` for every one. */
  deployables: string[] | 'all';
  reason: string;
}

export const ALLOW_LIST_HEADING = '### Environment allow-list';

/**
 * The table under "### Environment allow-list" in deploy/README.md:
 * `| \`A\`, \`B\` | deployables (comma-separated) or all | why |`.
 */
export function readAllowList(readme: string = readDeployFile('README.md')): AllowListEntry[] {
  const start = readme.indexOf(ALLOW_LIST_HEADING);
  if (start === -1) throw new Error(`deploy/README.md has no "${ALLOW_LIST_HEADING}" section`);
  const section = readme.slice(start + ALLOW_LIST_HEADING.length).split(/\n#{1,3} /)[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line));
  const list = (cell: string): string[] =>
    cell
      .split(',')
      .map((item) => item.trim().replaceAll('`', ''))
      .filter((item) => item !== '');
  return rows.slice(1).map((row) => {
    const [variables = '', deployables = '', reason = ''] = row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    return { variables: list(variables), deployables: deployables === 'all' ? 'all' : list(deployables), reason };
  });
}

export function isAllowListed(entries: readonly AllowListEntry[], variable: string, deployable: string): boolean {
  return entries.some((entry) => entry.variables.includes(variable) && (entry.deployables === 'all' || entry.deployables.includes(deployable)));
}

export type { Json };
