import { describe, expect, it } from 'vitest';
import { defaultPortOf, GATEWAY_SERVER_FILE, healthPathsOf, serverRoutesOf } from './support/code-facts.js';
import {
  composeEnvironment,
  composeHealthcheck,
  composeServices,
  containerEnvironment,
  containersOf,
  execForm,
  findObject,
  loadCompose,
  loadDockerfile,
  loadKubernetesObjects,
} from './support/manifests.js';
import { asArray, asObject, asString, NODE_DEPLOYABLES, parseYaml, readDeployFile, readRepoFile, SUBGRAPH_SERVICES, type JsonObject, type NodeDeployable } from './support/repo.js';

/**
 * Ports come from each deployable's start-up file (its default PORT), probe paths from the
 * routes subgraph-server.ts and create-gateway.ts answer. The manifests must agree with both.
 */
const services = composeServices(loadCompose());
const objects = loadKubernetesObjects();

/** `http://host:4001/health/ready` style URLs in a text → [port, path]. */
function probeUrls(text: string): Array<{ port: number; path: string }> {
  return [...text.matchAll(/http:\/\/[\w.-]+:(\d+)(\/[\w/.-]*)/g)].map((m) => ({ port: Number(m[1]), path: m[2] ?? '' }));
}

/** The container port a probe names: by number or by the port's name. */
function probePort(container: JsonObject, probe: JsonObject): number {
  const port = asObject(probe['httpGet'], 'httpGet')['port'];
  if (typeof port === 'number') return port;
  const named = asArray(container['ports'], 'ports')
    .map((p) => asObject(p, 'port'))
    .find((p) => p['name'] === port);
  return Number(named?.['containerPort']);
}

describe('ports and probe paths', () => {
  it('the code gives each deployable its own port, and serves live, ready and metrics routes', () => {
    const ports = NODE_DEPLOYABLES.map(defaultPortOf);
    expect(new Set(ports).size).toBe(NODE_DEPLOYABLES.length);
    for (const deployable of NODE_DEPLOYABLES) {
      const { live, ready, metrics } = healthPathsOf(deployable);
      expect(live).not.toBe(ready);
      for (const path of [live, ready, metrics]) expect(serverRoutesOf(deployable).has(path)).toBe(true);
    }
  });

  it('a path the server does not serve is caught (the check can fail)', () => {
    expect(serverRoutesOf('auth-service').has('/healthz')).toBe(false);
    expect(probeUrls("fetch('http://127.0.0.1:4001/healthz')")).toEqual([{ port: 4001, path: '/healthz' }]);
  });

  for (const deployable of NODE_DEPLOYABLES) {
    describe(deployable, () => {
      const port = defaultPortOf(deployable);
      const paths = healthPathsOf(deployable);

      it('Dockerfile: EXPOSE, ENV PORT and HEALTHCHECK use the code port and the liveness path', () => {
        const runtime = loadDockerfile(deployable).stages.at(-1);
        const instructions = runtime?.instructions ?? [];
        expect(instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args)).toEqual([String(port)]);
        const env = instructions
          .filter((i) => i.keyword === 'ENV')
          .map((i) => i.args)
          .join(' ');
        expect(env).toMatch(new RegExp(`\\bPORT=${port}\\b`));
        const healthcheck = instructions.find((i) => i.keyword === 'HEALTHCHECK');
        expect(healthcheck).toBeDefined();
        const command = execForm(healthcheck?.args ?? '').join(' ');
        expect(command).toContain(`'${paths.live}'`);
        expect(command).toContain(`'${port}'`);
      });

      it('compose: PORT and the healthcheck match the code', () => {
        const service = services[deployable] ?? {};
        expect(composeEnvironment(service)['PORT']).toBe(String(port));
        const urls = probeUrls(composeHealthcheck(service) ?? '');
        expect(urls).toEqual([{ port, path: paths.ready }]);
      });

      it('Kubernetes: containerPort, PORT, Service, probes and the scrape annotation match the code', () => {
        const deployment = findObject(objects, 'Deployment', deployable);
        const container = containersOf(deployment)[0] ?? {};
        const containerPorts = asArray(container['ports'], 'ports').map((p) => Number(asObject(p, 'port')['containerPort']));
        expect(containerPorts).toEqual([port]);
        expect(containerEnvironment(objects, container).get('PORT')).toBeDefined();
        expect(asObject(findObject(objects, 'ConfigMap', `${deployable}-config`)['data'], 'data')['PORT']).toBe(String(port));

        const liveness = asObject(container['livenessProbe'], 'livenessProbe');
        const readiness = asObject(container['readinessProbe'], 'readinessProbe');
        expect(asObject(liveness['httpGet'], 'httpGet')['path']).toBe(paths.live);
        expect(asObject(readiness['httpGet'], 'httpGet')['path']).toBe(paths.ready);
        expect(probePort(container, liveness)).toBe(port);
        expect(probePort(container, readiness)).toBe(port);
        if (container['startupProbe'] !== undefined) {
          const startup = asObject(container['startupProbe'], 'startupProbe');
          expect(asObject(startup['httpGet'], 'httpGet')['path']).toBe(paths.live);
        }

        const servicePorts = asArray(asObject(findObject(objects, 'Service', deployable)['spec'], 'spec')['ports'], 'ports').map((p) => asObject(p, 'port'));
        expect(servicePorts.map((p) => p['port'])).toEqual([port]);
        const annotations = asObject(asObject(asObject(asObject(deployment['spec'], 'spec')['template'], 'template')['metadata'], 'metadata')['annotations'], 'annotations');
        expect(annotations['prometheus.io/port']).toBe(String(port));
        expect(annotations['prometheus.io/path']).toBe(paths.metrics);
      });
    });
  }

  it("the gateway's SUBGRAPHS (compose and Kubernetes) name each subgraph at its code port", () => {
    const expected = SUBGRAPH_SERVICES.map((service) => `${service.replace('-service', '')}=http://${service}:${defaultPortOf(service)}/graphql`).join(',');
    expect(composeEnvironment(services['gateway'] ?? {})['SUBGRAPHS']).toBe(expected);
    expect(asObject(findObject(objects, 'ConfigMap', 'gateway-config')['data'], 'data')['SUBGRAPHS']).toBe(expected);
  });

  it('Prometheus scrapes every deployable on its code port and metrics path', () => {
    const config = asObject(parseYaml(readDeployFile('observability/prometheus.yml')), 'prometheus.yml');
    const jobs = asArray(config['scrape_configs'], 'scrape_configs').map((job) => asObject(job, 'job'));
    for (const deployable of NODE_DEPLOYABLES) {
      const job = jobs.find((j) => j['job_name'] === deployable);
      expect(job, deployable).toBeDefined();
      expect(job?.['metrics_path']).toBe(healthPathsOf(deployable as NodeDeployable).metrics);
      const discovery = asObject(asArray(job?.['dns_sd_configs'], 'dns_sd_configs')[0], 'dns_sd_config');
      expect(discovery['port']).toBe(defaultPortOf(deployable));
      expect(discovery['names']).toEqual([deployable]);
    }
  });

  it('app: the nginx template serves the probe paths the Dockerfile, compose and Kubernetes use, and proxies the live paths', () => {
    const template = readDeployFile('docker/app-nginx.conf.template');
    const listen = Number(/\blisten (\d+);/.exec(template)?.[1]);
    const served = new Set([...template.matchAll(/location = (\/[\w/.-]+)/g)].map((m) => m[1]));
    const runtime = loadDockerfile('app').stages.at(-1);
    const healthcheck = execForm(runtime?.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '').join(' ');
    for (const { port, path } of probeUrls(healthcheck)) {
      expect(port).toBe(listen);
      expect(served.has(path)).toBe(true);
    }
    expect(runtime?.instructions.find((i) => i.keyword === 'EXPOSE')?.args).toBe(String(listen));

    const container = containersOf(findObject(objects, 'Deployment', 'app'))[0] ?? {};
    for (const probe of ['livenessProbe', 'readinessProbe']) {
      const probeObject = asObject(container[probe], probe);
      expect(served.has(asString(asObject(probeObject['httpGet'], 'httpGet')['path'], 'path'))).toBe(true);
      expect(probePort(container, probeObject)).toBe(listen);
    }
    expect(JSON.stringify(services['app']?.['ports'])).toContain(`:${listen}`);

    // The gateway's live transports, as create-gateway.ts names them, go to the gateway.
    const gatewayRoutes = serverRoutesOf('gateway');
    for (const path of ['/graphql', '/graphql/stream']) {
      expect(gatewayRoutes.has(path)).toBe(true);
      expect(template).toMatch(new RegExp(`location = ${path.replaceAll('/', '\\/')} \\{[^}]*proxy_pass http://gateway;`));
    }
    expect(readRepoFile(GATEWAY_SERVER_FILE)).toContain("'/socket.io'");
    expect(template).toMatch(/location \/socket\.io\/ \{[^}]*proxy_pass http:\/\/gateway;[^}]*Upgrade/);
    expect(template).toContain('server ${GATEWAY_UPSTREAM} resolve;');
    const gatewayPort = defaultPortOf('gateway');
    expect(composeEnvironment(services['app'] ?? {})['GATEWAY_UPSTREAM']).toBe(`gateway:${gatewayPort}`);
    expect(asObject(findObject(objects, 'ConfigMap', 'app-config')['data'], 'data')['GATEWAY_UPSTREAM']).toMatch(new RegExp(`^gateway\\.[\\w.-]+:${gatewayPort}$`));
  });
});
