import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { createTestFixture } from 'core-service/testing';
import { CLAIM, createTemplate, startBonus } from './helpers.js';

describe('database round trips of an award', () => {
  it("a claim's events are two outbox inserts: the movement's three together, then bonus.awarded", async () => {
    const fixture = createTestFixture({ label: 'bonus-trips' });
    const client = await new MongoClient(fixture.mongoUri, { monitorCommands: true }).connect();
    onTestFinished(() => client.close());
    let outboxInserts: number[] | null = null;
    client.on('commandStarted', (event: CommandStartedEvent) => {
      // `autocommit: false`: a command of a transaction (the claim's), not the relay's bookkeeping.
      if (outboxInserts !== null && event.commandName === 'insert' && event.command['insert'] === 'outbox' && event.command['autocommit'] === false) {
        outboxInserts.push((event.command['documents'] as unknown[]).length);
      }
    });
    const bonus = await startBonus({ client, db: client.db(fixture.dbName('bonus')), paymentDb: client.db(fixture.dbName('payment')), coreDb: client.db(fixture.dbName('core_service')) }, fixture);
    const template = await createTemplate(bonus, bonus.admin(), { amount: 2_500, turnoverMultiplier: 4 });

    outboxInserts = [];
    const answer = await bonus.graphql(bonus.user(), CLAIM, { code: template.code, key: `k-${randomUUID()}` });
    expect(answer.errors).toBeUndefined();
    expect(outboxInserts).toEqual([3, 1]);
  });
});
