import { join } from 'node:path';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Operation types generated from the gateway's composed public schema (gateway/supergraph.graphql,
 * checked in and kept current by the gateway's own test). `npm run codegen -w app` rewrites
 * src/gql; test/unit/codegen.test.ts fails when what is checked in differs from what this
 * config generates now.
 */
const here = import.meta.dirname;

const config: CodegenConfig = {
  schema: join(here, '../gateway/supergraph.graphql'),
  documents: [join(here, 'src/**/*.{ts,tsx}'), `!${join(here, 'src/gql/**')}`],
  ignoreNoDocuments: false,
  generates: {
    [join(here, 'src/gql/')]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: true,
        scalars: { Amount: 'number', DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
