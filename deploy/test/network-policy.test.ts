import { describe, expect, it } from 'vitest';
import { defaultPortOf } from './support/code-facts.js';
import { findObject, kindOf, loadKubernetesObjects, nameOf, podLabelsOf } from './support/manifests.js';
import { asArray, asObject, isObject, SUBGRAPH_SERVICES, type Json, type JsonObject } from './support/repo.js';

const objects = loadKubernetesObjects();
const policies = objects.filter(({ object }) => kindOf(object) === 'NetworkPolicy').map(({ object }) => object);

const GATEWAY_PEER = { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } };
/** The metrics scraper: Prometheus's pods in the monitoring namespace. */
const SCRAPER_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
};

function selects(policy: JsonObject, labels: Record<string, string>): boolean {
  const selector = asObject(asObject(policy['spec'], 'spec')['podSelector'], 'podSelector');
  if (selector['matchExpressions'] !== undefined) throw new Error(`${nameOf(policy)}: matchExpressions not supported by this check`);
  const matchLabels = isObject(selector['matchLabels']) ? selector['matchLabels'] : {};
  return Object.entries(matchLabels).every(([key, value]) => labels[key] === value);
}

function isIngressPolicy(policy: JsonObject): boolean {
  const types = asObject(policy['spec'], 'spec')['policyTypes'];
  return Array.isArray(types) ? types.includes('Ingress') : true;
}

function samePeer(peer: Json, expected: object): boolean {
  return JSON.stringify(peer) === JSON.stringify(expected);
}

/**
 * What the NetworkPolicies selecting a subgraph's pods let in, beyond the gateway's pods and
 * the metrics scraper on the subgraph's port. Empty means: nothing else.
 */
function ingressViolations(all: readonly JsonObject[], labels: Record<string, string>, port: number): string[] {
  const violations: string[] = [];
  for (const policy of all.filter((p) => isIngressPolicy(p) && selects(p, labels))) {
    const rules = asObject(policy['spec'], 'spec')['ingress'];
    for (const [index, rule] of (Array.isArray(rules) ? rules : []).entries()) {
      const where = `${nameOf(policy)} ingress[${index}]`;
      const ruleObject = asObject(rule, where);
      const from = ruleObject['from'];
      const ports = ruleObject['ports'];
      if (!Array.isArray(from) || from.length === 0) violations.push(`${where}: admits every source`);
      if (!Array.isArray(ports) || ports.length === 0) violations.push(`${where}: admits every port`);
      for (const entry of Array.isArray(ports) ? ports : []) {
        const portObject = asObject(entry, 'port');
        if (portObject['port'] !== port || portObject['endPort'] !== undefined) violations.push(`${where}: port ${JSON.stringify(entry)} is not ${port}`);
      }
      for (const peer of Array.isArray(from) ? from : []) {
        if (!samePeer(peer, GATEWAY_PEER) && !samePeer(peer, SCRAPER_PEER)) violations.push(`${where}: admits ${JSON.stringify(peer)}`);
      }
    }
  }
  return violations;
}

/** Whether some rule admits `peer` on `port` to the pods with `labels`. */
function admits(all: readonly JsonObject[], labels: Record<string, string>, peer: object, port: number): boolean {
  return all.some(
    (policy) =>
      isIngressPolicy(policy) &&
      selects(policy, labels) &&
      asArray(asObject(policy['spec'], 'spec')['ingress'] ?? [], 'ingress').some((rule) => {
        const ruleObject = asObject(rule, 'rule');
        return asArray(ruleObject['from'] ?? [], 'from').some((p) => samePeer(p, peer)) && asArray(ruleObject['ports'] ?? [], 'ports').some((p) => asObject(p, 'port')['port'] === port);
      }),
  );
}

describe('NetworkPolicies', () => {
  it('deny all ingress in the namespace by default', () => {
    const deny = policies.find((policy) => {
      const spec = asObject(policy['spec'], 'spec');
      return JSON.stringify(spec['podSelector']) === '{}' && isIngressPolicy(policy) && (spec['ingress'] === undefined || asArray(spec['ingress'], 'ingress').length === 0);
    });
    expect(deny).toBeDefined();
  });

  for (const service of SUBGRAPH_SERVICES) {
    it(`${service} accepts only the gateway, and the metrics scraper on its port`, () => {
      const labels = podLabelsOf(findObject(objects, 'Deployment', service));
      const port = defaultPortOf(service);
      expect(ingressViolations(policies, labels, port)).toEqual([]);
      expect(admits(policies, labels, GATEWAY_PEER, port)).toBe(true);
      expect(admits(policies, labels, SCRAPER_PEER, port)).toBe(true);
    });
  }

  it('the gateway accepts the app and the scraper on its port', () => {
    const labels = podLabelsOf(findObject(objects, 'Deployment', 'gateway'));
    const port = defaultPortOf('gateway');
    expect(admits(policies, labels, { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'app' } } }, port)).toBe(true);
    expect(admits(policies, labels, SCRAPER_PEER, port)).toBe(true);
  });

  it('a policy that lets anything else reach a subgraph is reported (the check can fail)', () => {
    const labels = podLabelsOf(findObject(objects, 'Deployment', 'payment-service'));
    const port = defaultPortOf('payment-service');
    const widened = structuredClone(findObject(objects, 'NetworkPolicy', 'payment-service-ingress'));
    asArray(asObject(widened['spec'], 'spec')['ingress'], 'ingress').push(
      { from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'app' } } }], ports: [{ protocol: 'TCP', port }] },
      { from: [GATEWAY_PEER] },
    );
    const others = policies.filter((p) => nameOf(p) !== 'payment-service-ingress');
    const violations = ingressViolations([...others, widened], labels, port);
    expect(violations.some((v) => v.includes('"app"'))).toBe(true);
    expect(violations.some((v) => v.includes('every port'))).toBe(true);

    const openToAll: JsonObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all' }, spec: { podSelector: {}, ingress: [{}] } };
    expect(ingressViolations([...policies, openToAll], labels, port)).toContain('allow-all ingress[0]: admits every source');
  });
});
