import { describe, expect, it } from 'vitest';
import { environmentReadsIn, environmentReadsOf } from './support/code-facts.js';
import { composeEnvironment, composeServices, containerEnvironment, containersOf, findObject, isAllowListed, loadCompose, loadKubernetesObjects, readAllowList } from './support/manifests.js';
import { NODE_DEPLOYABLES } from './support/repo.js';

/**
 * Every variable a deployable's code reads (its own src and core-service's) is given to it by
 * compose and by Kubernetes, or is on the allow-list in deploy/README.md with the reason it may
 * stay unset. A variable added to the code without either fails here.
 */
const services = composeServices(loadCompose());
const objects = loadKubernetesObjects();
const allowList = readAllowList();

describe('environment variables', () => {
  it('the scanner finds every form the code uses to read one', () => {
    const sample = [
      'const a = process.env.ALPHA;',
      "const b = process.env['BRAVO'];",
      "const env = process.env; env['CHARLIE'];",
      "requireEnv(SERVICE_NAME, 'DELTA', '1');",
      "const mongoUri = env('ECHO');",
      "required('FOXTROT'); optional(\"GOLF\"); positive('HOTEL');",
      "const notAVariable = 'INDIA'; other('JULIET'); process.env[name];",
    ].join('\n');
    expect([...environmentReadsIn(sample)].sort()).toEqual(['ALPHA', 'BRAVO', 'CHARLIE', 'DELTA', 'ECHO', 'FOXTROT', 'GOLF', 'HOTEL']);
  });

  it('finds the reads it must in the real sources (it is not scanning nothing)', () => {
    expect(environmentReadsOf('payment-service').get('MONGO_URI')).toContain('payment-service/src/index.ts');
    expect(environmentReadsOf('auth-service').get('OTP_SECRET')).toContain('auth-service/src/index.ts');
    expect(environmentReadsOf('gateway').get('SUBGRAPHS')).toContain('gateway/src/subgraphs.ts');
    expect(environmentReadsOf('notification-service').has('SMTP_URL')).toBe(true);
  });

  for (const deployable of NODE_DEPLOYABLES) {
    describe(deployable, () => {
      const reads = environmentReadsOf(deployable);

      it('compose sets every variable it reads, or the allow-list says why not', () => {
        const environment = composeEnvironment(services[deployable] ?? {});
        const missing = [...reads.keys()].filter((name) => !(name in environment) && !isAllowListed(allowList, name, deployable));
        expect(missing.map((name) => `${name} (read in ${(reads.get(name) ?? []).join(', ')})`)).toEqual([]);
      });

      it('Kubernetes sets every variable it reads, or the allow-list says why not', () => {
        const container = containersOf(findObject(objects, 'Deployment', deployable))[0] ?? {};
        const environment = containerEnvironment(objects, container);
        const missing = [...reads.keys()].filter((name) => !environment.has(name) && !isAllowListed(allowList, name, deployable));
        expect(missing.map((name) => `${name} (read in ${(reads.get(name) ?? []).join(', ')})`)).toEqual([]);
      });
    });
  }

  it('the allow-list has a reason for every entry and no entry the code no longer needs', () => {
    expect(allowList.length).toBeGreaterThan(0);
    const stale: string[] = [];
    for (const entry of allowList) {
      expect(entry.reason.length, entry.variables.join(', ')).toBeGreaterThan(20);
      const deployables = entry.deployables === 'all' ? [...NODE_DEPLOYABLES] : entry.deployables;
      for (const deployable of deployables) {
        expect(NODE_DEPLOYABLES as readonly string[], 'allow-list names a deployable').toContain(deployable);
        const reads = environmentReadsOf(deployable as (typeof NODE_DEPLOYABLES)[number]);
        for (const variable of entry.variables) if (!reads.has(variable)) stale.push(`${variable} for ${deployable}`);
      }
    }
    expect(stale).toEqual([]);
  });

  it('an unlisted, unset variable is reported (the check can fail)', () => {
    const entries = readAllowList('### Environment allow-list\n\n| variable | deployables | why |\n|---|---|---|\n| `SEED_DEMO` | auth-service | development only, never in production |\n');
    expect(isAllowListed(entries, 'SEED_DEMO', 'auth-service')).toBe(true);
    expect(isAllowListed(entries, 'SEED_DEMO', 'gateway')).toBe(false);
    expect(isAllowListed(entries, 'OTP_SECRET', 'auth-service')).toBe(false);
  });
});
