import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { createTestFixture } from 'core-service/testing';
import { CLAIM, createTemplate, startBonus } from './helpers.js';

describe('database round trips of an award', () => {
  it("a claim's events are written twice: the movement's three (one outbox document) with its ledger and audit entries in one bulkWrite, then bonus.awarded", async () => {
    const fixture = createTestFixture({ label: 'bonus-trips' });
    const client = await new MongoClient(fixture.mongoUri, { monitorCommands: true }).connect();
    onTestFinished(() => client.close());
    let outboxInserts: string[] | null = null;
    client.on('commandStarted', (event: CommandStartedEvent) => {
      // `autocommit: false`: a command of a transaction (the claim's), not the relay's bookkeeping.
      if (outboxInserts === null || event.command['autocommit'] !== false) return;
      if (event.commandName === 'insert' && event.command['insert'] === 'outbox') outboxInserts.push(`insert ${(event.command['documents'] as unknown[]).length}`);
      if (event.commandName === 'bulkWrite') {
        // Each op names its collection by index into nsInfo.
        const namespaces = (event.command['nsInfo'] as Array<{ ns: string }>).map(({ ns }) => ns.slice(ns.indexOf('.') + 1));
        const ops = event.command['ops'] as Array<{ insert?: number }>;
        outboxInserts.push(`bulkWrite ${ops.filter((op) => op.insert !== undefined && namespaces[op.insert] === 'outbox').length} of ${namespaces.join(', ')}`);
      }
    });
    const bonus = await startBonus({ client, db: client.db(fixture.dbName('bonus')), paymentDb: client.db(fixture.dbName('payment')), coreDb: client.db(fixture.dbName('core_service')) }, fixture);
    const template = await createTemplate(bonus, bonus.admin(), { amount: 2_500, turnoverMultiplier: 4 });

    outboxInserts = [];
    const answer = await bonus.graphql(bonus.user(), CLAIM, { code: template.code, key: `k-${randomUUID()}` });
    expect(answer.errors).toBeUndefined();
    expect(outboxInserts).toEqual(['bulkWrite 1 of transactions, outbox, audit_log', 'insert 1']);
  });
});
