// @vitest-environment node
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

describe('generated operation types', () => {
  it('src/gql matches what GraphQL Code Generator makes now from the operations and gateway/supergraph.graphql (run `npm run codegen -w app`)', async () => {
    const files = (await generate({ ...config, silent: true, verbose: false }, false)) as Array<{ filename: string; content: string }>;
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(readFileSync(file.filename, 'utf8'), `${file.filename} is stale: run npm run codegen -w app`).toBe(file.content);
    }
  }, 60_000);
});
