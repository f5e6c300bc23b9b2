import { describe, expect, it } from 'vitest';
import { subgraphsFromEnv } from '../src/subgraphs.js';

const none = () => false;

describe('which subgraphs the gateway composes', () => {
  it('SUBGRAPHS names them and their URLs outright, whatever folders or *_SERVICE_URL say', () => {
    const env = { SUBGRAPHS: 'auth=http://auth.internal:4001/graphql, payment=https://pay.internal/graphql?x=1', BONUS_SERVICE_URL: 'http://ignored/graphql' };
    expect(subgraphsFromEnv(env, () => true)).toEqual([
      { name: 'auth', url: 'http://auth.internal:4001/graphql', critical: true },
      { name: 'payment', url: 'https://pay.internal/graphql?x=1', critical: true },
    ]);
  });

  it('refuses an unknown name or an entry without a URL, naming it', () => {
    expect(() => subgraphsFromEnv({ SUBGRAPHS: 'ledger=http://x/graphql' }, none)).toThrow(/unknown subgraph "ledger"/);
    expect(() => subgraphsFromEnv({ SUBGRAPHS: 'auth' }, none)).toThrow(/"auth" needs an http\(s\) URL/);
  });

  it('without SUBGRAPHS: the ones with a URL set, or a service folder in development, at their default URL', () => {
    const found = subgraphsFromEnv({ PAYMENT_SERVICE_URL: 'http://payment:4002/graphql' }, (entry) => entry.name === 'auth');
    expect(found).toEqual([
      { name: 'auth', url: 'http://127.0.0.1:4001/graphql', critical: true },
      { name: 'payment', url: 'http://payment:4002/graphql', critical: true },
    ]);
  });
});
