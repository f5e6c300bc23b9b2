import { randomUUID } from 'node:crypto';
import type { ClientSession, Collection, Db, MongoClient } from 'mongodb';
import { MongoServerError } from 'mongodb';
import { runAfterCommit } from '../database/after-commit.js';
import { openInsertBatch } from '../database/insert-batch.js';
import { withTransaction } from '../database/transaction.js';
import type { OperationStateTracker } from '../recovery/operation-state-tracker.js';
import { checkAmount, checkCurrency, type BalanceCaps } from './amount.js';
import { COLLECTION_NAMES } from './collections.js';
import { WALLET_ERRORS, WalletError } from './errors.js';
import { assertSameRequest, hashRequest, idempotencyFilter, isValidIdempotencyKey } from './idempotency.js';
import { planLedgerEntries, type LedgerEntry, type TransactionType } from './ledger.js';
import { debitQueue, type BatchWork, type DebitQueue } from './debit-queue.js';
import { applyMovements, creationFields, type MovementParams } from './movement.js';
import { buildDebitFilter, buildWalletUpdate, getBalanceFieldName, getWalletId, type BalanceType, type WalletDocument } from './wallet.js';

export type TransferStatus = 'pending' | 'completed' | 'failed' | 'reversed';

/** Where a two-phase movement (withdrawal) stands: funds locked, then taken or given back, once. */
export type HoldState = 'held' | 'captured' | 'released';

/** A transfer as stored in payment `transfers`: the operation that wrote two ledger entries. */
export interface TransferDocument {
  _id: string;
  id: string;
  tenantId: string;
  fromUserId: string;
  toUserId: string;
  fromWalletId: string;
  toWalletId: string;
  /** Both users, so "transfers I am party to" is one indexed equality instead of an $or. */
  parties: [string, string];
  amount: number;
  currency: string;
  type: TransactionType;
  fromBalanceType: BalanceType;
  toBalanceType: BalanceType;
  status: TransferStatus;
  /** Who chose `idempotencyKey`: keys are unique per tenant, initiator and type (`idempotencyFilter`). */
  initiatedBy: string;
  idempotencyKey: string;
  /** Hash of the request's meaningful input: a replay with other input is refused. */
  requestHash: string;
  description?: string;
  meta?: Record<string, unknown>;
  /** Two-phase movements only. */
  hold?: HoldState;
  failureReason?: string;
  createdAt: Date;
  completedAt?: Date;
}

/** One event a movement publishes (see `emitTransferEvents`). */
export interface TransferEvent {
  type: string;
  tenantId: string;
  userId: string | null;
  data: Record<string, unknown>;
}

/**
 * Publishes what a committed transfer means to the rest of the platform (the outbox, in
 * practice). With `emitAll` (EventBus.emitAll behind it) a movement's events cost one outbox
 * insert together; without it, one call (and insert) each.
 */
export interface TransferEventEmitter {
  (type: string, tenantId: string, userId: string | null, data: Record<string, unknown>, options: { session: ClientSession }): Promise<unknown>;
  emitAll?: (events: ReadonlyArray<TransferEvent>, options: { session: ClientSession }) => Promise<unknown>;
}

export interface TransferParams {
  /** The payment database (wallets, transfers, transactions). */
  db: Db;
  /** Needed when no session is given: the helper then runs its own transaction. */
  client?: MongoClient;
  tenantId: string;
  fromUserId: string;
  toUserId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  /**
   * Who asked for the movement (the user, the admin of a deposit, `system:<service>`); keys are
   * scoped to it. Default: the paying user, or `system` when a system account pays.
   */
  initiatedBy?: string;
  type?: TransactionType;
  fromBalanceType?: BalanceType;
  toBalanceType?: BalanceType;
  /**
   * The paying wallet is a system account (external funding source) that may go negative and is
   * created on first use. Only trusted callers (deposits, settlements) set it.
   */
  fromSystemAccount?: boolean;
  /** The receiving wallet is a system account (withdrawals to the external account). */
  toSystemAccount?: boolean;
  description?: string;
  meta?: Record<string, unknown>;
  /** Fee taken by the platform, recorded on the ledger entries (minor units). */
  charge?: number;
  /** Events written in the same transaction (outbox); none when absent. */
  emit?: TransferEventEmitter;
  /** Fixed transfer id; generated when absent. */
  transferId?: string;
  /**
   * Per-currency maxima of the receiving wallet's balance (the service's live config); a credit
   * past its currency's cap is refused with MSPaymentBalanceLimitExceeded and nothing is written.
   * A receiving system account is not capped.
   */
  balanceCaps?: BalanceCaps;
}

export interface TransferOptions {
  /** A caller's transaction (saga mode): the helper writes through it and tracks nothing. */
  session?: ClientSession;
  /** Crash bookkeeping for a self-managed transfer (ignored with a session). */
  tracker?: OperationStateTracker;
  /**
   * Ms a self-managed transfer runs before the tracker records it; default
   * `DEFAULT_TRACK_AFTER_MS`, 0 records every transfer from its start.
   */
  trackAfterMs?: number;
  /** Where self-managed debits of one wallet wait for each other; default this process's `debitQueue`, null for none. */
  debitQueue?: DebitQueue | null;
}

/**
 * Crash tracking starts only for a transfer still running after this long, so the happy path
 * pays no Redis round trip for it. Nothing is lost by the wait: the transfer is one transaction,
 * so a process dying before it commits leaves nothing to repair (the server aborts it) and one
 * dying after leaves a complete transfer; what tracking adds is a recovery record of which, and
 * a transfer that dies within its first second simply has none (the client's retry with its
 * idempotency key gets the committed result or a fresh attempt either way).
 */
export const DEFAULT_TRACK_AFTER_MS = 1_000;

export interface TransferResult {
  transfer: TransferDocument;
  debit: LedgerEntry;
  credit: LedgerEntry;
  /** Balances after the transfer; on a replay, the wallets as they are now. */
  fromWallet: WalletDocument | null;
  toWallet: WalletDocument | null;
  /** True when the idempotency key had already produced this transfer. */
  replayed: boolean;
}

/** Event type published for each kind of movement when it completes. */
const COMPLETION_EVENTS: Partial<Record<TransactionType, string>> = {
  transfer: 'transfer.completed',
  deposit: 'deposit.completed',
  withdrawal: 'withdrawal.completed',
};

/**
 * Moves `amount` from one wallet to another as one double-entry transfer: a conditional debit,
 * a credit (creating the receiving wallet on first use), two ledger entries, the transfer
 * record carrying the idempotency key, and the events, all in one MongoDB transaction.
 *
 * Without `options.session` the helper runs its own transaction (retried on transient errors)
 * and, given a tracker, records the operation for crash recovery. With a session it is one step
 * of the caller's transaction (saga mode) and tracks nothing: the caller's commit or abort
 * decides for everything.
 */
export async function createTransferWithTransactions(params: TransferParams, options: TransferOptions = {}): Promise<TransferResult> {
  const request = validateTransfer(params);
  const transferId = params.transferId ?? randomUUID();
  // In a caller's transaction a failed write would abort the caller's other work too, so the
  // key is looked up first there; a replay then answers without writing.
  if (options.session !== undefined) return writeTransfer(params, request, transferId, options.session, 'lookup-first');

  const client = params.client;
  if (client === undefined) throw new TypeError('createTransferWithTransactions needs params.client when no session is given');
  // Own transaction: the transfer document is inserted first and its unique index is the
  // idempotency check, no lookup before it. A key already used fails that insert, the
  // transaction aborts having written nothing, and the committed transfer is read for the answer.
  const queue = options.debitQueue === undefined ? debitQueue : options.debitQueue;
  // Queued around the whole transaction, not inside it at the debit: a transaction reads from a
  // snapshot taken at its first command, and a wallet changed by a commit after that snapshot
  // makes the debit a write conflict, so waiting inside an open transaction would turn every
  // wait into a conflict and a retry. The turn ends at the commit: the after-commit work (cache
  // invalidation, relay wake-up, Redis round trips) does not hold up the next debit. Transfers
  // waiting behind one another go together in one transaction (`DebitQueue.runBatched`).
  const queued = (): Promise<TransferResult> =>
    queue === null
      ? runTransfers(client, [{ params, request, transferId }], () => undefined).then(([result]) => result!)
      : queue.runBatched(getWalletId(params.tenantId, params.fromUserId, params.currency), { params, request, transferId }, batchWork(client));
  const tracked =
    options.tracker === undefined
      ? queued
      : () => trackIfSlow(options.tracker!, transferId, { tenantId: params.tenantId, idempotencyKey: params.idempotencyKey }, options.trackAfterMs ?? DEFAULT_TRACK_AFTER_MS, queued);
  try {
    return await tracked();
  } catch (error) {
    // The key has a committed transfer (an earlier request, or a concurrent one that committed
    // first): the answer is that transfer (or key reuse), read in a transaction of its own.
    if (isIdempotencyKeyCollision(error)) {
      return withTransaction({ client, fn: (session) => writeTransfer(params, request, transferId, session, 'lookup-first') });
    }
    throw error;
  }
}

/** One self-managed transfer, as the debit queue holds it. */
interface QueuedTransfer {
  params: TransferParams;
  request: ValidatedRequest;
  transferId: string;
}

/** Runs queued transfers in one transaction, ending the turn at its commit. */
function runTransfers(client: MongoClient, queued: readonly QueuedTransfer[], release: () => void): Promise<TransferResult[]> {
  return withTransaction({
    client,
    fn: async (session) => {
      const now = new Date();
      const results = await writeTransfers(
        { db: queued[0]!.params.db, client },
        queued.map(({ params, request, transferId }) => planTransfer(params, request, transferId, now)),
        session,
        'insert-first',
      );
      await runAfterCommit(session, release);
      return results;
    },
  });
}

/**
 * How the debit queue runs transfers of one paying wallet together: in one transaction, when they
 * share the database, the client, the events' emitter and the balance paid from. A batch with any
 * refusal (funds, a used key, a cap) aborts whole and its transfers run alone.
 */
function batchWork(client: MongoClient): BatchWork<QueuedTransfer, TransferResult> {
  return {
    one: async (queued, release) => (await runTransfers(client, [queued], release))[0]!,
    many: (queued, release) => runTransfers(client, queued, release),
    joins: (leader, other) =>
      other.params.db === leader.params.db &&
      other.params.client === leader.params.client &&
      other.params.emit === leader.params.emit &&
      other.request.fromBalanceType === leader.request.fromBalanceType &&
      (other.params.fromSystemAccount === true) === (leader.params.fromSystemAccount === true),
  };
}

/**
 * Runs `fn` and hands it to the tracker only if it is still running after `afterMs`: the
 * tracker then records it from that moment and marks its outcome as usual.
 */
async function trackIfSlow<T>(tracker: OperationStateTracker, id: string, meta: Record<string, unknown>, afterMs: number, fn: () => Promise<T>): Promise<T> {
  if (afterMs <= 0) return tracker.track(id, meta, fn);
  const running = fn();
  let tracking: Promise<unknown> | undefined;
  const timer = setTimeout(() => {
    // `track` never fails on its own bookkeeping (Redis down: untracked); the outcome is `running`'s.
    tracking = tracker.track(id, meta, () => running).catch(() => undefined);
  }, afterMs);
  try {
    return await running;
  } finally {
    clearTimeout(timer);
    // A tracked transfer is marked finished before its caller hears of it, as with `track`.
    if (tracking !== undefined) await tracking;
  }
}

/** Stands for any system account in request hashes. */
const SYSTEM_ACCOUNT = '<system>';

export interface ValidatedRequest {
  type: TransactionType;
  fromBalanceType: BalanceType;
  toBalanceType: BalanceType;
  requestHash: string;
  /** Whose key it is (see `TransferParams.initiatedBy`). */
  initiatedBy: string;
}

/** Every input rule, before anything is read or written. */
export function validateTransfer(params: TransferParams): ValidatedRequest {
  const amountError = checkAmount(params.amount);
  if (amountError !== null) throw new WalletError(amountError, 'Amount must be a positive whole number of minor units', { amount: params.amount });
  const currencyError = checkCurrency(params.currency);
  if (currencyError !== null) throw new WalletError(currencyError, `Unsupported currency ${String(params.currency)}`);
  if (!isValidIdempotencyKey(params.idempotencyKey)) {
    throw new WalletError(WALLET_ERRORS.InvalidIdempotencyKey, 'idempotencyKey must be 8 to 128 characters of letters, digits, . _ : -');
  }
  const charge = params.charge ?? 0;
  if (!Number.isSafeInteger(charge) || charge < 0 || charge > params.amount) {
    throw new WalletError(WALLET_ERRORS.InvalidAmount, 'charge must be a whole number of minor units between 0 and the amount');
  }
  const fromBalanceType = getBalanceFieldName(params.fromBalanceType);
  const toBalanceType = getBalanceFieldName(params.toBalanceType);
  if (params.fromUserId === params.toUserId && fromBalanceType === toBalanceType) {
    throw new WalletError(WALLET_ERRORS.SelfTransfer, 'A wallet cannot transfer to itself');
  }
  const type = params.type ?? 'transfer';
  // Which sub-wallet of a system account a movement uses is chosen per call (see the funding
  // shards of payment-service), so it is not part of what makes two requests the same.
  const requestHash = hashRequest({
    type,
    fromUserId: params.fromSystemAccount === true ? SYSTEM_ACCOUNT : params.fromUserId,
    toUserId: params.toSystemAccount === true ? SYSTEM_ACCOUNT : params.toUserId,
    amount: params.amount,
    currency: params.currency,
    fromBalanceType,
    toBalanceType,
    charge,
    description: params.description,
    meta: params.meta,
  });
  const initiatedBy = params.initiatedBy ?? (params.fromSystemAccount === true ? SYSTEM_ACCOUNT : params.fromUserId);
  return { type, fromBalanceType, toBalanceType, requestHash, initiatedBy };
}

export function walletCollections(db: Db): {
  wallets: Collection<WalletDocument>;
  transfers: Collection<TransferDocument>;
  transactions: Collection<LedgerEntry>;
} {
  return {
    wallets: db.collection<WalletDocument>(COLLECTION_NAMES.wallets),
    transfers: db.collection<TransferDocument>(COLLECTION_NAMES.transfers),
    transactions: db.collection<LedgerEntry>(COLLECTION_NAMES.transactions),
  };
}

/**
 * The transaction body of one transfer. The driver may run it more than once (transient errors),
 * so it only touches the database through `session`.
 */
async function writeTransfer(params: TransferParams, request: ValidatedRequest, transferId: string, session: ClientSession, idempotency: 'insert-first' | 'lookup-first'): Promise<TransferResult> {
  if (idempotency === 'lookup-first') {
    const { transfers } = walletCollections(params.db);
    const existing = await transfers.findOne(idempotencyFilter({ tenantId: params.tenantId, initiatedBy: request.initiatedBy, type: request.type, idempotencyKey: params.idempotencyKey }), {
      session,
    });
    if (existing !== null) return replay(params, existing, request.requestHash, session);
  }
  const [result] = await writeTransfers({ db: params.db, client: params.client }, [planTransfer(params, request, transferId, new Date())], session, idempotency);
  return result!;
}

/** A transfer ready to be written: its document and its two wallet writes. */
interface PlannedTransfer {
  params: TransferParams;
  request: ValidatedRequest;
  transfer: TransferDocument;
  movement: MovementParams;
}

function planTransfer(params: TransferParams, request: ValidatedRequest, transferId: string, now: Date): PlannedTransfer {
  const { wallets } = walletCollections(params.db);
  const { tenantId, amount, currency } = params;
  const fromWalletId = getWalletId(tenantId, params.fromUserId, currency);
  const toWalletId = getWalletId(tenantId, params.toUserId, currency);
  const fromSystem = params.fromSystemAccount === true;
  const transfer: TransferDocument = {
    _id: transferId,
    id: transferId,
    tenantId,
    fromUserId: params.fromUserId,
    toUserId: params.toUserId,
    fromWalletId,
    toWalletId,
    parties: [params.fromUserId, params.toUserId],
    amount,
    currency,
    type: request.type,
    fromBalanceType: request.fromBalanceType,
    toBalanceType: request.toBalanceType,
    status: 'completed',
    initiatedBy: request.initiatedBy,
    idempotencyKey: params.idempotencyKey,
    requestHash: request.requestHash,
    ...(params.description !== undefined ? { description: params.description } : {}),
    ...(params.meta !== undefined ? { meta: params.meta } : {}),
    createdAt: now,
    completedAt: now,
  };
  // A system account has no floor and is created on first use.
  const movement: MovementParams = {
    now,
    ...(params.balanceCaps !== undefined ? { balanceCaps: params.balanceCaps } : {}),
    debit: {
      walletId: fromWalletId,
      filter: buildDebitFilter(fromWalletId, amount, request.fromBalanceType, fromSystem),
      update: fromSystem
        ? { ...buildWalletUpdate(request.fromBalanceType, -amount, now), $setOnInsert: creationFields(tenantId, params.fromUserId, currency, now, request.fromBalanceType, true) }
        : buildWalletUpdate(request.fromBalanceType, -amount, now),
      balanceType: request.fromBalanceType,
      upsert: fromSystem,
      refused: async (session) => {
        const exists = await wallets.countDocuments({ _id: fromWalletId }, { session, limit: 1 });
        if (exists === 0) return new WalletError(WALLET_ERRORS.WalletNotFound, 'The paying wallet does not exist', { userId: params.fromUserId, currency });
        return new WalletError(WALLET_ERRORS.InsufficientBalance, 'Insufficient balance', { requested: amount, balanceType: request.fromBalanceType });
      },
    },
    credit: { tenantId, userId: params.toUserId, currency, amount, balanceType: request.toBalanceType, isSystemAccount: params.toSystemAccount === true },
  };
  return { params, request, transfer, movement };
}

/**
 * Writes planned transfers in the transaction of `session`: the transfer documents first (with
 * `insert-first`, their unique index is the idempotency check, before any wallet is touched;
 * they say `completed` already and only become visible if the rest commits with them), then the
 * wallet writes, then the ledger entries, the events' outbox entries and their audit entries,
 * which only have to land before the commit, as one command (`openInsertBatch`).
 */
async function writeTransfers(
  { db, client }: { db: Db; client: MongoClient | undefined },
  planned: readonly PlannedTransfer[],
  session: ClientSession,
  idempotency: 'insert-first' | 'lookup-first',
): Promise<TransferResult[]> {
  const { wallets, transfers, transactions } = walletCollections(db);
  const documents = planned.map(({ transfer }) => transfer);
  const insertTransfers = () => (documents.length === 1 ? transfers.insertOne(documents[0]!, { session }) : transfers.insertMany(documents, { session }));
  if (idempotency === 'insert-first') await insertTransfers();

  const moved = await applyMovements(
    wallets,
    session,
    planned.map(({ movement }) => movement),
  );
  const entries = planned.map(({ params, request, transfer }, index) =>
    planLedgerEntries({
      transferId: transfer.id,
      tenantId: transfer.tenantId,
      type: request.type,
      amount: transfer.amount,
      currency: transfer.currency,
      debited: moved[index]!.debited,
      credited: moved[index]!.credited,
      fromBalanceType: request.fromBalanceType,
      toBalanceType: request.toBalanceType,
      ...(params.charge !== undefined ? { charge: params.charge } : {}),
      now: transfer.createdAt,
    }),
  );
  const batch = openInsertBatch(client, session);
  try {
    batch.insert(transactions, entries.flat());
    const emit = planned[0]!.params.emit;
    if (emit !== undefined) {
      await emitEvents(
        emit,
        planned.flatMap(({ transfer }, index) => transferEvents(transfer, moved[index]!.debited, moved[index]!.credited)),
        session,
      );
    }
    await batch.flush();
  } finally {
    batch.discard();
  }
  if (idempotency === 'lookup-first') await insertTransfers();

  return planned.map(({ transfer }, index) => ({
    transfer,
    debit: entries[index]![0],
    credit: entries[index]![1],
    fromWallet: moved[index]!.debited,
    toWallet: moved[index]!.credited,
    replayed: false,
  }));
}

/** The first result of an idempotency key, or an error when the key came with other input. */
async function replay(params: TransferParams, existing: TransferDocument, requestHash: string, session: ClientSession): Promise<TransferResult> {
  assertSameRequest(existing.requestHash, requestHash, params.idempotencyKey);
  const { wallets, transactions } = walletCollections(params.db);
  const entries = await transactions.find({ objectId: existing.id }, { session }).toArray();
  const debit = entries.find((entry) => entry.amount < 0);
  const credit = entries.find((entry) => entry.amount > 0);
  if (debit === undefined || credit === undefined) throw new Error(`transfer ${existing.id} does not have its two ledger entries`);
  // One after the other: operations of one transaction must not run in parallel on its session
  // (the driver sends `startTransaction` with every command until the first answer arrives).
  const fromWallet = await wallets.findOne({ _id: existing.fromWalletId }, { session });
  const toWallet = await wallets.findOne({ _id: existing.toWalletId }, { session });
  return { transfer: existing, debit, credit, fromWallet, toWallet, replayed: true };
}

/** What every transfer event carries about its transfer (completion, failure). */
export function transferEventData(transfer: TransferDocument) {
  return {
    transferId: transfer.id,
    type: transfer.type,
    fromUserId: transfer.fromUserId,
    toUserId: transfer.toUserId,
    amount: transfer.amount,
    currency: transfer.currency,
    status: transfer.status,
  };
}

export async function emitTransferEvents(emit: TransferEventEmitter, transfer: TransferDocument, fromWallet: WalletDocument, toWallet: WalletDocument, session: ClientSession): Promise<void> {
  await emitEvents(emit, transferEvents(transfer, fromWallet, toWallet), session);
}

/** A completed movement's events: its completion and both wallets as they stood after it. */
function transferEvents(transfer: TransferDocument, fromWallet: WalletDocument, toWallet: WalletDocument): TransferEvent[] {
  const eventType = COMPLETION_EVENTS[transfer.type] ?? `${transfer.type}.completed`;
  return [
    { type: eventType, tenantId: transfer.tenantId, userId: transfer.fromUserId, data: transferEventData(transfer) },
    ...[fromWallet, toWallet].map((wallet) => ({ type: 'wallet.updated', tenantId: wallet.tenantId, userId: wallet.userId, data: walletSnapshot(wallet) })),
  ];
}

async function emitEvents(emit: TransferEventEmitter, events: readonly TransferEvent[], session: ClientSession): Promise<void> {
  if (emit.emitAll !== undefined) {
    await emit.emitAll(events, { session });
    return;
  }
  for (const event of events) await emit(event.type, event.tenantId, event.userId, event.data, { session });
}

/** What a `wallet.updated` event carries: enough for a live push without another read. */
export function walletSnapshot(wallet: WalletDocument): Record<string, unknown> {
  return {
    walletId: wallet.id,
    userId: wallet.userId,
    currency: wallet.currency,
    balance: wallet.balance,
    bonusBalance: wallet.bonusBalance,
    lockedBalance: wallet.lockedBalance,
    version: wallet.version,
    updatedAt: wallet.updatedAt,
  };
}

export function isIdempotencyKeyCollision(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    error.code === 11000 &&
    typeof error['keyPattern'] === 'object' &&
    error['keyPattern'] !== null &&
    'idempotencyKey' in (error['keyPattern'] as Record<string, unknown>)
  );
}

/** Indexes the transfer helper relies on: the idempotency key and the ledger's reading paths. */
export const WALLET_INDEXES = {
  wallets: [{ key: { tenantId: 1, userId: 1, currency: 1 }, name: 'tenant_user_currency', unique: true }],
  transfers: [
    { key: { tenantId: 1, initiatedBy: 1, type: 1, idempotencyKey: 1 }, name: 'tenant_initiator_type_key', unique: true },
    { key: { tenantId: 1, parties: 1, createdAt: -1, _id: -1 }, name: 'tenant_parties_created' },
  ],
  transactions: [
    { key: { tenantId: 1, userId: 1, createdAt: -1, _id: -1 }, name: 'tenant_user_created' },
    { key: { objectId: 1 }, name: 'object' },
    { key: { walletId: 1, createdAt: 1 }, name: 'wallet_created' },
  ],
} as const;

/** Creates the indexes of `WALLET_INDEXES` (idempotent). */
export async function ensureWalletIndexes(db: Db): Promise<void> {
  for (const [collection, specs] of Object.entries(WALLET_INDEXES)) {
    await db.collection(collection).createIndexes(specs.map((spec) => ({ ...spec, key: { ...spec.key } })));
  }
  // Keys were once unique per tenant only; that index would still make one user's key block
  // another's. Dropped after the scoped one exists, so no moment is without a unique index.
  await db
    .collection(COLLECTION_NAMES.transfers)
    .dropIndex('tenant_idempotency_key')
    .catch(() => undefined);
}
