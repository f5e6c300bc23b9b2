import { MongoClient } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTestFixture } from 'core-service/testing';
import { startAuth, uniqueEmail } from './support/harness.js';

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email tenantId roles } } }`;

describe('User entity', () => {
  it('resolves many references of one gateway fetch with one query', async () => {
    const { mongoUri } = createTestFixture({ autoCleanup: false });
    const client = new MongoClient(mongoUri, { monitorCommands: true });
    await client.connect();
    onTestFinished(() => client.close());
    const auth = await startAuth({ client });
    const caller = await auth.register(uniqueEmail('caller'));
    const others = await Promise.all([1, 2, 3, 4].map((i) => auth.register(uniqueEmail(`u${i}`))));

    const finds: string[] = [];
    client.on('commandStarted', (event) => {
      if (event.commandName === 'find' && event.command['find'] === 'users') finds.push(JSON.stringify(event.command['filter']));
    });
    const representations = [...others, caller].map((r) => ({ __typename: 'User', id: r.user.id }));
    const res = await auth.gql(ENTITIES, { r: representations }, { token: caller.accessToken });
    expect(res.errors).toBeUndefined();
    expect(res.data?._entities.map((u: { id: string }) => u.id)).toEqual(representations.map((r) => r.id));
    expect(finds).toHaveLength(1);
  });

  it('returns null for users of another tenant and for unknown ids', async () => {
    const auth = await startAuth();
    await auth.createTenant(`${auth.tenantId}-b`);
    const caller = await auth.register(uniqueEmail());
    const foreign = await auth.register(uniqueEmail(), { tenantId: `${auth.tenantId}-b` });
    const res = await auth.gql(
      ENTITIES,
      {
        r: [
          { __typename: 'User', id: foreign.user.id },
          { __typename: 'User', id: 'missing' },
          { __typename: 'User', id: caller.user.id },
        ],
      },
      { token: caller.accessToken },
    );
    expect(res.data?._entities.map((u: { id: string } | null) => u?.id ?? null)).toEqual([null, null, caller.user.id]);
  });
});
