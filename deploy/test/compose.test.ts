import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { composeEnvironment, composeServices, kindOf, keysOf, loadCompose, loadKubernetesObjects } from './support/manifests.js';
import { asObject, DEPLOY_ROOT, isObject, NODE_DEPLOYABLES, parseYaml, readDeployFile, type Json, type JsonObject } from './support/repo.js';

const require = createRequire(import.meta.url);

/**
 * The Compose Specification's own JSON schema, vendored from compose-spec/compose-spec
 * (deploy/schemas/README.md). It declares draft-07 under its https URL, which Ajv registers
 * under the http one: the same meta-schema is added under that name.
 */
function composeValidator(): ValidateFunction {
  const schema = JSON.parse(readDeployFile('schemas/compose-spec.json')) as JsonObject;
  const draft07 = require('ajv/dist/refs/json-schema-draft-07.json') as JsonObject;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, allowUnionTypes: true });
  ajv.addMetaSchema({ ...draft07, $id: String(schema['$schema']) });
  return ajv.compile(schema);
}

const validate = composeValidator();
const compose = loadCompose();
const services = composeServices(compose);

/** The variables whose values are secrets: every key of the Kubernetes Secrets. */
const SENSITIVE = new Set(
  loadKubernetesObjects()
    .filter(({ object }) => kindOf(object) === 'Secret')
    .flatMap(({ object }) => keysOf(object)),
);

describe('deploy/compose.yaml', () => {
  it('validates against the Compose Specification schema', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('a broken copy fails the schema (the validation can fail)', () => {
    const broken = structuredClone(compose);
    const gateway = asObject(asObject(broken['services'], 'services')['gateway'], 'gateway');
    gateway['depends_on'] = { redis: { condition: 'service_ready' } };
    gateway['restart_policy'] = 'always';
    expect(validate(broken)).toBe(false);
    const messages = (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
    expect(messages.some((m) => m.includes('/services/gateway'))).toBe(true);
  });

  it('every service, network, volume and secret a service names is declared (what the schema cannot see)', () => {
    const declared = (key: string): Set<string> => new Set(Object.keys(isObject(compose[key]) ? compose[key] : {}));
    const networks = declared('networks');
    const volumes = declared('volumes');
    const secrets = declared('secrets');
    const unresolved: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = service['depends_on'];
      for (const target of Array.isArray(dependsOn) ? dependsOn.map(String) : Object.keys(isObject(dependsOn) ? dependsOn : {})) {
        if (services[target] === undefined) unresolved.push(`${name} depends_on ${target}`);
      }
      const serviceNetworks = service['networks'];
      for (const network of Array.isArray(serviceNetworks) ? serviceNetworks.map(String) : Object.keys(isObject(serviceNetworks) ? serviceNetworks : {})) {
        if (!networks.has(network)) unresolved.push(`${name} network ${network}`);
      }
      for (const volume of Array.isArray(service['volumes']) ? service['volumes'].map(String) : []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) continue;
        if (!volumes.has(source)) unresolved.push(`${name} volume ${source}`);
      }
      for (const secret of Array.isArray(service['secrets']) ? service['secrets'].map(String) : []) {
        if (!secrets.has(secret)) unresolved.push(`${name} secret ${secret}`);
      }
      if (service['networks'] === undefined) unresolved.push(`${name} joins no network`);
    }
    expect(unresolved).toEqual([]);
  });

  it('the files compose mounts from deploy/ exist', () => {
    const missing: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const volume of Array.isArray(service['volumes']) ? service['volumes'].map(String) : []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./') && !existsSync(join(DEPLOY_ROOT, source))) missing.push(`${name}: ${source}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('runs two instances of every service and of the gateway', () => {
    for (const name of NODE_DEPLOYABLES) {
      const deploy = asObject(services[name]?.['deploy'], `${name}.deploy`);
      expect(deploy['replicas'], name).toBe(2);
    }
    expect(services['app']).toBeDefined();
  });

  it('runs MongoDB as a replica set of three, initiated by a one-shot service', () => {
    const members = Object.keys(services).filter((name) => /^mongo-\d$/.test(name));
    expect(members).toEqual(['mongo-1', 'mongo-2', 'mongo-3']);
    for (const name of members) {
      const service = services[name] ?? {};
      expect(service['image']).toBe('mongo:8.0');
      expect(JSON.stringify(service['entrypoint'])).toContain('--replSet rs0');
    }
    const init = services['mongo-init'] ?? {};
    expect(JSON.stringify(init['command'])).toContain('/opt/mongo/init-replica-set.js');
    const script = readDeployFile('mongo/init-replica-set.js');
    expect(script).toContain('rs.initiate(');
    for (const name of members) expect(script).toContain(`host: '${name}:27017'`);
    // Every service waits for the set to be initiated.
    for (const name of [...NODE_DEPLOYABLES].filter((n) => n !== 'gateway')) {
      expect(asObject(services[name]?.['depends_on'], name)['mongo-init']).toEqual({ condition: 'service_completed_successfully' });
    }
  });

  it('runs Redis as a master and a replica watched by three Sentinels with quorum 2', () => {
    expect(composeEnvironment(services['redis-2'] ?? {})['REDIS_REPLICA_OF']).toBe('redis-1');
    expect(composeEnvironment(services['redis-1'] ?? {})['REDIS_REPLICA_OF']).toBeUndefined();
    const sentinels = Object.keys(services).filter((name) => name.startsWith('sentinel-'));
    expect(sentinels).toHaveLength(3);
    expect(readDeployFile('redis/sentinel.sh')).toMatch(/sentinel monitor platform redis-1 6379 2\n/);
    // REDIS_URL goes through the proxy that follows the master.
    for (const name of NODE_DEPLOYABLES) expect(composeEnvironment(services[name] ?? {})['REDIS_URL']).toMatch(/@redis:6379$/);
    expect(readDeployFile('redis/haproxy.cfg')).toContain('tcp-check expect string role:master');
  });

  it('pins every image by tag', () => {
    for (const [name, service] of Object.entries(services)) {
      const image = String(service['image'] ?? '');
      expect(image, name).toMatch(/:[^:/]+$/);
      if (!image.includes('${TAG')) expect(image, name).not.toMatch(/:latest$/);
    }
  });

  it('holds no secret: each sensitive value is interpolated from the env file, required or explicitly empty', () => {
    const offending: string[] = [];
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(composeEnvironment(service))) {
        const looksSensitive = SENSITIVE.has(variable) || /PASSWORD|SECRET|TOKEN|_KEY$/.test(variable);
        if (!looksSensitive) continue;
        const literal = value.replace(/\$\{[^}]*\}/g, '');
        // What is left besides interpolations may be a URL's scheme and host, never credentials.
        const credentials = /:\/\/([^@/]*)@/.exec(literal)?.[1];
        if (!value.includes('${') || (credentials !== undefined && credentials.replaceAll(':', '') !== '') || (!literal.includes('://') && literal !== '')) {
          offending.push(`${name}.${variable}`);
        }
      }
    }
    expect(offending).toEqual([]);
    expect(SENSITIVE.has('INTERNAL_CONTEXT_SECRET')).toBe(true);
  });

  it('env.example names every variable compose.yaml interpolates', () => {
    const example = readDeployFile('env.example');
    const defined = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const uncommented = readDeployFile('compose.yaml')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
    // `$${X}` is a literal `${X}` for the container's shell, not an interpolation.
    const used = new Set([...uncommented.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]));
    expect(used.has('INTERNAL_CONTEXT_SECRET')).toBe(true);
    const secretsFromEnv = Object.values(asObject(compose['secrets'], 'secrets')).map((s) => (isObject(s) ? s['environment'] : undefined));
    for (const name of [...used, ...secretsFromEnv]) expect(defined.has(String(name)), `env.example lacks ${String(name)}`).toBe(true);
  });

  it('Prometheus loads the alert rules and Grafana the dashboard from deploy/observability', () => {
    const prometheusVolumes = JSON.stringify(services['prometheus']?.['volumes']);
    expect(prometheusVolumes).toContain('./observability/prometheus.yml:/etc/prometheus/prometheus.yml');
    expect(prometheusVolumes).toContain('./observability/alerts.yml:/etc/prometheus/alerts.yml');
    expect(readDeployFile('observability/prometheus.yml')).toContain('/etc/prometheus/alerts.yml');
    expect(JSON.stringify(services['grafana']?.['volumes'])).toContain('./observability/grafana-dashboard.json:/var/lib/grafana/dashboards/');
    expect(readDeployFile('grafana/provisioning/dashboards/platform.yaml')).toContain('path: /var/lib/grafana/dashboards');
  });

  it("Grafana provisions the datasource the dashboard's panels name", () => {
    const datasources = asObject(parseYaml(readDeployFile('grafana/provisioning/datasources/prometheus.yaml')), 'datasources');
    const provisioned = new Set(
      (Array.isArray(datasources['datasources']) ? datasources['datasources'] : []).map((d) => `${String(asObject(d, 'datasource')['type'])}/${String(asObject(d, 'datasource')['uid'])}`),
    );
    const referenced = new Set<string>();
    const walk = (node: Json): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (isObject(node)) {
        const datasource = node['datasource'];
        if (isObject(datasource) && typeof datasource['uid'] === 'string' && !datasource['uid'].startsWith('$')) {
          referenced.add(`${String(datasource['type'])}/${datasource['uid']}`);
        }
        Object.values(node).forEach(walk);
      }
    };
    walk(JSON.parse(readDeployFile('observability/grafana-dashboard.json')) as Json);
    expect(referenced.size).toBeGreaterThan(0);
    for (const datasource of referenced) expect(provisioned.has(datasource), datasource).toBe(true);
  });

  it('sends every service and the gateway to the OpenTelemetry collector', () => {
    expect(readDeployFile('otel-collector.yaml')).toContain('endpoint: 0.0.0.0:4318');
    for (const name of NODE_DEPLOYABLES) {
      const environment = composeEnvironment(services[name] ?? {});
      expect(environment['OTEL_EXPORTER_OTLP_ENDPOINT'], name).toBe('http://otel-collector:4318');
      expect(environment['OTEL_SERVICE_NAME'], name).toBe(name);
    }
  });
});
