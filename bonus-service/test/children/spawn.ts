import { spawnTestChild, type TestChild } from 'core-service/testing';

/** Runs `test/children/<name>.ts` in its own Node process (core-service/testing's spawnTestChild). */
export function spawnChild(name: string, env: Record<string, string>): TestChild {
  return spawnTestChild(new URL(`./${name}.ts`, import.meta.url), name, env);
}

export { waitForLine } from 'core-service/testing';
