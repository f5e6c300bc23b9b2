import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { createTransferWithTransactions } from 'core-service';
import { createTestFixture } from 'core-service/testing';
import { startPayment, type RunningPayment } from './helpers.js';

const key = (): string => `key-${randomUUID()}`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id } }`;
const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id status } }`;

/**
 * A payment-service whose MongoClient reports every command it sends. Background work (the
 * outbox relay, recovery, reconciliation) shares the client, so a movement's commands are told
 * apart by what they are: everything inside its transaction (the session's `txnNumber`), and the
 * resolver's reads of the parties and of transfers outside it.
 */
async function startMonitoredPayment(): Promise<{ payment: RunningPayment; record: <T>(fn: () => Promise<T>) => Promise<{ result: T; commands: string[] }> }> {
  const fixture = createTestFixture({ label: 'trips' });
  const client = await new MongoClient(fixture.mongoUri, { monitorCommands: true }).connect();
  onTestFinished(() => client.close());
  const redis = fixture.redis();
  const payment = await startPayment({ client, redis, db: client.db(fixture.dbName('payment')), coreDb: client.db(fixture.dbName('core_service')) }, fixture);
  let commands: string[] | null = null;
  // Scripts on the service's Redis connection: crash tracking's state writes (its recovery
  // check goes through BullMQ's own connection). The connection also carries the event
  // consumer's acks and, after the commit, the balance cache's invalidation: not counted.
  const sendCommand = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: { name: string }) => {
    if (commands !== null && (command.name === 'evalsha' || command.name === 'eval')) commands.push('redis script');
    return sendCommand(command as never);
  }) as typeof redis.sendCommand;
  client.on('commandStarted', (event: CommandStartedEvent) => {
    if (commands === null) return;
    const target = event.command[event.commandName];
    // `bulkWrite` names its collections in `nsInfo` (`db.collection`).
    const collection =
      typeof target === 'string' ? target : event.commandName === 'bulkWrite' ? (event.command['nsInfo'] as Array<{ ns: string }>).map(({ ns }) => ns.slice(ns.indexOf('.') + 1)).join(', ') : '';
    // `autocommit: false` marks every command of a transaction (a retryable write outside one has a txnNumber too).
    const inTransaction = event.command['autocommit'] === false;
    if (inTransaction) commands.push(event.commandName === 'commitTransaction' || event.commandName === 'abortTransaction' ? event.commandName : `${event.commandName} ${collection}`);
    else if (collection === 'projected_users' || collection === 'transfers') commands.push(`${event.commandName} ${collection} (outside)`);
  });
  return {
    payment,
    async record(fn) {
      commands = [];
      try {
        const result = await fn();
        return { result, commands };
      } finally {
        commands = null;
      }
    },
  };
}

/**
 * One movement's minimum: the transfer document (its unique index is the idempotency check), both
 * wallets, then one command for what only has to land before the commit (both ledger entries, the
 * outbox document with the three events, the completion's audit entry), the commit. The raw driver's
 * transfer in the bench sends five too.
 */
const TRANSFER_COMMANDS = ['insert transfers', 'findAndModify wallets', 'findAndModify wallets', 'bulkWrite transactions, outbox, audit_log', 'commitTransaction'];

describe('database round trips per transfer', () => {
  it('createTransferWithTransactions with the service’s events and tracking sends 5 commands, none of them for tracking', async () => {
    const { payment, record } = await startMonitoredPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();
    const { deps } = payment.service;
    const transfer = () =>
      createTransferWithTransactions(
        { db: deps.db, client: deps.client, tenantId: alice.tenantId, fromUserId: alice.id, toUserId: bob.id, amount: 10, currency: 'EUR', idempotencyKey: key(), emit: deps.emit },
        { tracker: deps.transferTracker },
      );
    await transfer(); // first use of bob's wallet and of the outbox and audit collections
    const { result, commands } = await record(transfer);
    expect(commands).toEqual(TRANSFER_COMMANDS);
    // A transfer that finished within a second left no crash-tracking state behind.
    expect(await deps.transferTracker.get(result.transfer.id)).toBeNull();
  });

  it('createTransfer through the subgraph adds one read for both parties and nothing else', async () => {
    const { payment, record } = await startMonitoredPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();
    const transfer = () => payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input: { toUserId: bob.id, amount: 10, currency: 'EUR', idempotencyKey: key() } });
    expect((await transfer()).errors).toBeUndefined();
    const { result, commands } = await record(transfer);
    expect(result.errors).toBeUndefined();
    expect(commands).toEqual(['find projected_users (outside)', ...TRANSFER_COMMANDS]);
  });

  it('a replay costs the failed insert and one read transaction, and answers with the first transfer', async () => {
    const { payment, record } = await startMonitoredPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();
    const input = { toUserId: bob.id, amount: 10, currency: 'EUR', idempotencyKey: key() };
    const first = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input });
    const { result, commands } = await record(() => payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input }));
    expect(result.data?.createTransfer.id).toBe(first.data?.createTransfer.id);
    expect(commands).toEqual(['find projected_users (outside)', 'insert transfers', 'abortTransaction', 'find transfers', 'find transactions', 'find wallets', 'find wallets', 'commitTransaction']);
  });
});
