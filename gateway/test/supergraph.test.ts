import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeSupergraph, SUPERGRAPH_PATH } from '../src/compose.js';

const temp = mkdtempSync(join(tmpdir(), 'supergraph-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function writeSchema(root: string, service: string, sdl: string): void {
  mkdirSync(join(root, service, 'src'), { recursive: true });
  writeFileSync(join(root, service, 'src/schema.graphql'), sdl);
}
const link = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])\n';

describe('checked-in supergraph', () => {
  it('is what composing the current subgraph schemas gives (run `npm run compose -w gateway` when this fails)', () => {
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composeSupergraph().sdl);
  });

  it('fails composition with the composition error message', () => {
    const root = join(temp, 'conflict');
    writeSchema(root, 'auth-service', `${link}type User @key(fields: "id") { id: ID! name: String }\ntype Query { me: User }`);
    writeSchema(root, 'payment-service', `${link}type User @key(fields: "id") { id: ID! name: Int }\ntype Query { wallet: Int }`);
    expect(() => composeSupergraph(root)).toThrow(/supergraph composition failed:\n- .*"User.name"/s);
  });

  it('composes errorCodes declared by several subgraphs (shared by platform convention)', () => {
    const root = join(temp, 'convention');
    writeSchema(root, 'auth-service', `${link}type User @key(fields: "id") { id: ID! }\ntype Query { me: User errorCodes: [String!]! }`);
    writeSchema(root, 'payment-service', `${link}type Query { balance: Int errorCodes: [String!]! }`);
    const { sdl, subgraphs } = composeSupergraph(root);
    expect(subgraphs).toEqual(['auth', 'payment']);
    expect(sdl).toMatch(/^  errorCodes: \[String!\]!$/m);
  });
});
