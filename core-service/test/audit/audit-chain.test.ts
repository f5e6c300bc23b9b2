import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { AuditSealer, AuditTrail, pruneAuditLog, sealPendingAuditEntries, verifyAuditChain, type AuditEntryDocument, type AuditEvent } from '../../src/audit/index.js';
import { withTransaction } from '../../src/database/index.js';
import { runWithCorrelationId } from '../../src/logger/index.js';
import { createTestFixture, type TestFixture } from '../../src/testing/index.js';

async function setUp(fixture: TestFixture, service = 'payment-service') {
  const db = await fixture.db('core_service');
  const client = await fixture.mongoClient();
  const trail = new AuditTrail({ db, service });
  await trail.ensureIndexes();
  return { db, client, trail, log: db.collection<AuditEntryDocument>('audit_log') };
}

function transferEvent(tenantId: string, n: number): AuditEvent {
  return { tenantId, category: 'money', action: 'transfer.created', resource: { type: 'transfer', id: `t-${n}` }, data: { amount: 100 + n, currency: 'EUR' } };
}

describe('audit trail', () => {
  it('writes an entry only when the transaction of its change commits, with the request’s actor and correlation id', async () => {
    const fixture = createTestFixture();
    const { client, trail, log } = await setUp(fixture);

    await expect(
      withTransaction({
        client,
        fn: async (session) => {
          await trail.record(transferEvent(fixture.tenantId, 1), { session });
          throw new Error('the change failed');
        },
      }),
    ).rejects.toThrow('the change failed');
    expect(await log.countDocuments({ tenantId: fixture.tenantId })).toBe(0);

    await runWithCorrelationId('corr-1', () => withTransaction({ client, fn: (session) => trail.record(transferEvent(fixture.tenantId, 2), { session }) }), {
      tenantId: fixture.tenantId,
      userId: 'user-7',
    });
    const stored = await log.find({ tenantId: fixture.tenantId }).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      service: 'payment-service',
      action: 'transfer.created',
      outcome: 'success',
      actor: { type: 'user', id: 'user-7' },
      correlationId: 'corr-1',
      pending: true,
    });
  });

  it('seals entries into one chain per tenant that verifies', async () => {
    const fixture = createTestFixture();
    const { client, db, trail, log } = await setUp(fixture);
    const other = `${fixture.tenantId}-other`;
    for (let n = 0; n < 5; n += 1) await trail.record(transferEvent(fixture.tenantId, n));
    for (let n = 0; n < 3; n += 1) await trail.record(transferEvent(other, n));

    expect(await sealPendingAuditEntries(client, db)).toBe(8);
    const chain = await log.find({ tenantId: fixture.tenantId }).sort({ seq: 1 }).toArray();
    expect(chain.map((entry) => entry.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(chain.every((entry) => entry.pending === undefined)).toBe(true);
    expect(chain[1]?.prevHash).toBe(chain[0]?.hash);
    expect(await verifyAuditChain(db, fixture.tenantId)).toMatchObject({ ok: true, checked: 5, headSeq: 5, pending: 0, firstBroken: null });
    expect(await verifyAuditChain(db, other)).toMatchObject({ ok: true, checked: 3, headSeq: 3 });

    // Later entries continue the chain from the head.
    await trail.record(transferEvent(fixture.tenantId, 9));
    await sealPendingAuditEntries(client, db);
    expect(await verifyAuditChain(db, fixture.tenantId)).toMatchObject({ ok: true, checked: 6, headSeq: 6 });
  });

  it('finds the first broken link after an entry is edited, deleted, re-hashed or the tail is cut', async () => {
    const fixture = createTestFixture();
    const { client, db, trail, log } = await setUp(fixture);
    for (let n = 0; n < 6; n += 1) await trail.record(transferEvent(fixture.tenantId, n));
    await sealPendingAuditEntries(client, db);
    const bySeq = async (seq: number) => (await log.findOne({ tenantId: fixture.tenantId, seq }))!;

    // An amount edited in place no longer matches its hash.
    const third = await bySeq(3);
    await log.updateOne({ _id: third._id }, { $set: { 'data.amount': 1_000_000 } });
    expect((await verifyAuditChain(db, fixture.tenantId)).firstBroken).toEqual({ seq: 3, entryId: third._id.toHexString(), reason: 'hash_mismatch' });

    // Re-hashing the edited entry moves the break to its successor's link.
    const { auditEntryHash } = await import('../../src/audit/index.js');
    const edited = await bySeq(3);
    await log.updateOne({ _id: edited._id }, { $set: { hash: auditEntryHash(edited, edited.prevHash!) } });
    const fourth = await bySeq(4);
    expect((await verifyAuditChain(db, fixture.tenantId)).firstBroken).toEqual({ seq: 4, entryId: fourth._id.toHexString(), reason: 'prev_hash_mismatch' });

    // A deleted entry leaves a gap before anything else is compared.
    await log.deleteOne({ _id: (await bySeq(2))._id });
    expect(await verifyAuditChain(db, fixture.tenantId)).toMatchObject({ ok: false, firstBroken: { seq: 2, entryId: null, reason: 'missing_entry' } });
  });

  it('notices a deleted tail through the chain head', async () => {
    const fixture = createTestFixture();
    const { client, db, trail, log } = await setUp(fixture);
    for (let n = 0; n < 4; n += 1) await trail.record(transferEvent(fixture.tenantId, n));
    await sealPendingAuditEntries(client, db);
    await log.deleteOne({ tenantId: fixture.tenantId, seq: 4 });
    expect(await verifyAuditChain(db, fixture.tenantId)).toMatchObject({ ok: false, checked: 3, firstBroken: { seq: 4, reason: 'missing_entry' } });
  });

  it('keeps one chain per tenant while writers and two sealers run concurrently', async () => {
    const fixture = createTestFixture();
    const { client, db, trail, log } = await setUp(fixture);
    const logger = pino({ level: 'silent' });
    const sealers = [new AuditSealer({ client, db, logger, pollIntervalMs: 5, leaseMs: 50 }), new AuditSealer({ client, db, logger, pollIntervalMs: 5, leaseMs: 50 })];
    const tenants = [fixture.tenantId, `${fixture.tenantId}-b`];
    for (const sealer of sealers) {
      trail.onRecord(() => sealer.notify());
      sealer.start();
      onTestFinished(() => sealer.stop());
    }
    // Two sealers sealing directly too, racing the loops on purpose (no lease in between).
    const racers = [0, 1].map(async () => {
      for (let round = 0; round < 10; round += 1)
        await sealPendingAuditEntries(client, db).catch((error: Error) => expect(error.name).toMatch(/AuditSealRaceError|MongoServerError|MongoBulkWriteError/));
    });
    await Promise.all([
      ...Array.from({ length: 8 }, (_, writer) =>
        (async () => {
          for (let n = 0; n < 10; n += 1) {
            await withTransaction({ client, fn: (session) => trail.record(transferEvent(tenants[n % 2]!, writer * 100 + n), { session }) });
          }
        })(),
      ),
      ...racers,
    ]);
    for (const sealer of sealers) await sealer.stop();
    await sealPendingAuditEntries(client, db);

    for (const tenantId of tenants) {
      const seqs = (await log.find({ tenantId }).sort({ seq: 1 }).toArray()).map((entry) => entry.seq);
      expect(seqs).toEqual(Array.from({ length: 40 }, (_, index) => index + 1));
      expect(await verifyAuditChain(db, tenantId)).toMatchObject({ ok: true, checked: 40, pending: 0 });
    }
  });

  it('prunes a chain prefix past retention and still verifies from the kept anchor', async () => {
    const fixture = createTestFixture();
    const { client, db, trail, log } = await setUp(fixture);
    for (let n = 0; n < 5; n += 1) await trail.record(transferEvent(fixture.tenantId, n));
    await sealPendingAuditEntries(client, db);
    // Age the first three entries (retention compares `at`). This edits hashed bodies, so only
    // because exactly these entries are pruned does the chain still verify afterwards.
    await log.updateMany({ tenantId: fixture.tenantId, seq: { $lte: 3 } }, { $set: { at: new Date('2020-01-01T00:00:00Z') } });
    // In batches of two (one transaction each, as retention keeps transactions short).
    expect(await pruneAuditLog(client, db, fixture.tenantId, new Date('2021-01-01T00:00:00Z'), { batchSize: 2 })).toBe(3);
    expect((await log.find({ tenantId: fixture.tenantId }).toArray()).map((entry) => entry.seq ?? 0).sort((a, b) => a - b)).toEqual([4, 5]);
    expect(await verifyAuditChain(db, fixture.tenantId)).toMatchObject({ ok: true, checked: 2, headSeq: 5 });
    // A second pass with the same cut-off has nothing left to prune.
    expect(await pruneAuditLog(client, db, fixture.tenantId, new Date('2021-01-01T00:00:00Z'))).toBe(0);
  });

  it('pages one tenant’s entries newest first with filters', async () => {
    const fixture = createTestFixture();
    const { trail } = await setUp(fixture);
    for (let n = 0; n < 3; n += 1) await trail.record(transferEvent(fixture.tenantId, n));
    await trail.record({ tenantId: fixture.tenantId, category: 'admin', action: 'config.set', resource: { type: 'config', id: 'payment-service/limits' }, actor: { type: 'user', id: 'admin-1' } });
    await trail.record(transferEvent(`${fixture.tenantId}-other`, 0));

    const all = await trail.page(fixture.tenantId, {}, { first: 10 });
    expect(all.totalCount).toBe(4);
    expect(all.nodes[0]?.action).toBe('config.set');
    const firstPage = await trail.page(fixture.tenantId, { action: 'transfer.' }, { first: 2 });
    expect(firstPage.nodes.map((entry) => entry.resource.id)).toEqual(['t-2', 't-1']);
    const secondPage = await trail.page(fixture.tenantId, { action: 'transfer.' }, { first: 2, after: firstPage.pageInfo.endCursor! });
    expect(secondPage.nodes.map((entry) => entry.resource.id)).toEqual(['t-0']);
    expect((await trail.page(fixture.tenantId, { actorId: 'admin-1', category: 'admin' }, {})).nodes).toHaveLength(1);
    expect((await trail.page(fixture.tenantId, { from: new Date(Date.now() + 60_000) }, {})).nodes).toHaveLength(0);
  });
});

/** Runs the CLI as `npm run audit:verify` does (tsx, source condition) and parses its JSON lines. */
async function runVerify(args: string[], mongoUri: string): Promise<{ code: number | null; lines: Array<Record<string, any>> }> {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const script = fileURLToPath(new URL('../../src/audit/verify-cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], { env: { ...process.env, MONGO_URI: mongoUri }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    code,
    lines: out
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, any>),
  };
}

describe('npm run audit:verify', () => {
  it('prints a report per tenant and exits 1 naming the first broken link', async () => {
    const fixture = createTestFixture();
    const { client, db, trail, log } = await setUp(fixture);
    for (let n = 0; n < 3; n += 1) await trail.record(transferEvent(fixture.tenantId, n));
    await sealPendingAuditEntries(client, db);
    const args = ['--database', db.databaseName];

    const intact = await runVerify(args, fixture.mongoUri);
    expect(intact.code).toBe(0);
    expect(intact.lines).toContainEqual(expect.objectContaining({ tenantId: fixture.tenantId, ok: true, checked: 3 }));

    await log.updateOne({ tenantId: fixture.tenantId, seq: 2 }, { $set: { 'data.amount': 0 } });
    const tampered = await runVerify([...args, '--tenant', fixture.tenantId], fixture.mongoUri);
    expect(tampered.code).toBe(1);
    expect(tampered.lines[0]).toMatchObject({ tenantId: fixture.tenantId, ok: false, firstBroken: { seq: 2, reason: 'hash_mismatch' } });
    expect(tampered.lines[1]).toEqual({ tenants: 1, broken: 1 });
  });
});
