import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { containersOf, findObject, kindOf, kubernetesManifestFiles, loadKubernetesObjects, nameOf, podLabelsOf, podSpecOf, SECRET_TEMPLATE_FILE, type KubernetesObject } from './support/manifests.js';
import { asArray, asObject, isObject, NODE_DEPLOYABLES, parseYaml, readDeployFile, type JsonObject } from './support/repo.js';

/** apiVersion/kind → the kubernetes-models class that validates it. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

/** Validates one object with the class of its apiVersion and kind; throws what the model reports. */
function validateObject(object: JsonObject): void {
  const key = `${String(object['apiVersion'])}/${String(object['kind'])}`;
  const Model = MODELS[key];
  if (Model === undefined) throw new Error(`no kubernetes-models class for ${key}`);
  new Model(object as never).validate();
}

const objects: KubernetesObject[] = loadKubernetesObjects();
const WORKLOADS = [...NODE_DEPLOYABLES, 'app'] as const;

describe('deploy/k8s', () => {
  it('every object validates with its kubernetes-models class', () => {
    expect(objects.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const { file, object } of objects) {
      try {
        validateObject(object);
      } catch (error) {
        failures.push(`${file} ${kindOf(object)}/${nameOf(object)}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('broken copies fail validation (the validation can fail)', () => {
    const gateway = structuredClone(findObject(objects, 'Deployment', 'gateway'));
    const container = containersOf(gateway)[0] ?? {};
    asArray(container['ports'], 'ports')[0] = { name: 'http', containerPort: 'four thousand' };
    expect(() => validateObject(gateway)).toThrow(/containerPort/);

    const hpa = structuredClone(findObject(objects, 'HorizontalPodAutoscaler', 'payment-service'));
    delete asObject(hpa['spec'], 'spec')['maxReplicas'];
    expect(() => validateObject(hpa)).toThrow(/maxReplicas/);

    expect(() => validateObject({ apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'x' } })).toThrow(/no kubernetes-models class/);
  });

  it('kustomization.yaml lists every manifest except the Secret template', () => {
    const kustomization = asObject(parseYaml(readDeployFile('k8s/kustomization.yaml')), 'kustomization');
    const resources = asArray(kustomization['resources'], 'resources').map(String).sort();
    expect(resources).toEqual(kubernetesManifestFiles().filter((file) => file !== SECRET_TEMPLATE_FILE));
    expect(kustomization['namespace']).toBe('payment-platform');
  });

  it('every object is in the platform namespace', () => {
    for (const { object } of objects) {
      if (kindOf(object) === 'Namespace') continue;
      expect(asObject(object['metadata'], 'metadata')['namespace'], `${kindOf(object)}/${nameOf(object)}`).toBe('payment-platform');
    }
  });

  for (const name of WORKLOADS) {
    describe(name, () => {
      const deployment = findObject(objects, 'Deployment', name);
      const labels = podLabelsOf(deployment);

      it('has a Service, an autoscaling/v2 HPA and a PodDisruptionBudget selecting its pods', () => {
        const service = asObject(findObject(objects, 'Service', name)['spec'], 'service spec');
        for (const [key, value] of Object.entries(asObject(service['selector'], 'selector'))) expect(labels[key]).toBe(value);

        const hpa = findObject(objects, 'HorizontalPodAutoscaler', name);
        expect(hpa['apiVersion']).toBe('autoscaling/v2');
        const hpaSpec = asObject(hpa['spec'], 'hpa spec');
        expect(hpaSpec['scaleTargetRef']).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
        expect(Number(hpaSpec['minReplicas'])).toBeGreaterThanOrEqual(2);

        const pdb = asObject(findObject(objects, 'PodDisruptionBudget', name)['spec'], 'pdb spec');
        const matchLabels = asObject(asObject(pdb['selector'], 'selector')['matchLabels'], 'matchLabels');
        for (const [key, value] of Object.entries(matchLabels)) expect(labels[key]).toBe(value);
        // Fewer pods than the HPA's minimum may be disrupted at once.
        expect(Number(pdb['minAvailable'])).toBeLessThan(Number(hpaSpec['minReplicas']));
      });

      it('runs as non-root with a read-only root filesystem, resource requests and limits, and both probes', () => {
        const pod = podSpecOf(deployment);
        const podSecurity = asObject(pod['securityContext'], 'securityContext');
        expect(podSecurity['runAsNonRoot']).toBe(true);
        // The namespace enforces the restricted Pod Security Standard.
        expect(podSecurity['seccompProfile']).toEqual({ type: 'RuntimeDefault' });
        expect(pod['automountServiceAccountToken']).toBe(false);
        for (const container of containersOf(deployment)) {
          const resources = asObject(container['resources'], 'resources');
          for (const part of ['requests', 'limits']) {
            const amounts = asObject(resources[part], part);
            expect(amounts['cpu'], `${name} ${part}.cpu`).toBeDefined();
            expect(amounts['memory'], `${name} ${part}.memory`).toBeDefined();
          }
          const security = asObject(container['securityContext'], 'container securityContext');
          expect(security['allowPrivilegeEscalation']).toBe(false);
          expect(security['readOnlyRootFilesystem']).toBe(true);
          expect(security['capabilities']).toEqual({ drop: ['ALL'] });
          expect(isObject(container['livenessProbe'])).toBe(true);
          expect(isObject(container['readinessProbe'])).toBe(true);
        }
      });
    });
  }

  it('Secrets carry placeholders only, as stringData templates', () => {
    const secrets = objects.filter(({ object }) => kindOf(object) === 'Secret');
    expect(secrets.length).toBeGreaterThan(0);
    for (const { file, object } of secrets) {
      expect(file).toBe(SECRET_TEMPLATE_FILE);
      expect(object['data']).toBeUndefined();
      for (const [key, value] of Object.entries(asObject(object['stringData'], 'stringData'))) {
        const text = String(value);
        // Empty (an optional feature left off) or a value whose every credential is REPLACE_ME.
        const withoutPlaceholders = text.replaceAll('REPLACE_ME', '');
        expect(text === '' || text.includes('REPLACE_ME'), `${nameOf(object)}.${key}`).toBe(true);
        // In a URL, a user name may be real; the password never.
        const userInfo = /:\/\/([^@/]*)@/.exec(withoutPlaceholders)?.[1];
        expect(userInfo?.split(':')[1] ?? '', `${nameOf(object)}.${key} has a password`).toBe('');
      }
    }
  });

  it('no ConfigMap holds what a Secret holds', () => {
    const secretKeys = new Set(objects.filter(({ object }) => kindOf(object) === 'Secret').flatMap(({ object }) => Object.keys(asObject(object['stringData'], 'stringData'))));
    for (const { object } of objects.filter(({ object }) => kindOf(object) === 'ConfigMap')) {
      for (const key of Object.keys(asObject(object['data'], 'data'))) expect(secretKeys.has(key), `${nameOf(object)}.${key}`).toBe(false);
    }
  });
});
