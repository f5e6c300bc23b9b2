/**
 * A runner for MongoDB's unified test format (the part the CRUD, transactions, change-streams,
 * sessions, index- and collection-management, retryable reads / writes and run-command suites
 * use), driving the official Node driver against a server. Entities: client, database,
 * collection, session, GridFS bucket (download, downloadByName), change streams
 * (createChangeStream, iterateUntilDocumentOrError, iterateOnce) and command cursors
 * (createCommandCursor, the same iterations, close). Test fields: runOnRequirements, skipReason, createEntities, initialData, operations
 * (expectResult, expectError, saveResultAsEntity, ignoreResultAndError), expectEvents (command
 * and CMAP events) and outcome. The failPoint / targetedFailPoint operations arm a fail point
 * through the test's client; the runner turns every one it armed off after the test.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BSON, Int32 } from 'mongodb';
import {
  ChangeStream,
  MongoBulkWriteError,
  MongoClientBulkWriteError,
  MongoClient,
  MongoServerError,
  ReadPreference,
  ClientSession,
  Collection,
  Db,
  GridFSBucket,
  AbstractCursor,
  type RunCommandCursor,
  type Document,
  type MongoClientOptions,
} from 'mongodb';
import { match, MatchError, type MatchContext } from './matcher.js';

/* ------------------------------------------------------------------ files */

export interface RunOnRequirement {
  minServerVersion?: string;
  maxServerVersion?: string;
  topologies?: string[];
  serverless?: 'require' | 'forbid' | 'allow';
  auth?: boolean;
  serverParameters?: Document;
  csfle?: unknown;
  authMechanism?: string;
}

export interface UnifiedOperation {
  name: string;
  object: string;
  arguments?: Document;
  expectResult?: unknown;
  expectError?: Document;
  saveResultAsEntity?: string;
  ignoreResultAndError?: boolean;
}

export interface UnifiedTest {
  description: string;
  runOnRequirements?: RunOnRequirement[];
  skipReason?: string;
  operations: UnifiedOperation[];
  expectEvents?: { client: string; eventType?: string; events: Document[]; ignoreExtraEvents?: boolean }[];
  outcome?: { collectionName: string; databaseName: string; documents: Document[] }[];
}

export interface UnifiedFile {
  description: string;
  schemaVersion: string;
  runOnRequirements?: RunOnRequirement[];
  createEntities?: Document[];
  initialData?: { collectionName: string; databaseName: string; documents: Document[]; createOptions?: Document }[];
  tests: UnifiedTest[];
}

/** Int32 becomes a JS number (the driver sends integral numbers as int32); Long and Double stay typed. */
function normalize(value: unknown): unknown {
  if (value instanceof Int32) return value.value;
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object' && !('_bsontype' in value) && !(value instanceof Date) && !(value instanceof RegExp)) {
    const out: Document = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalize(v);
    return out;
  }
  return value;
}

export function loadSuite(directory: string): { file: string; spec: UnifiedFile }[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({
      file: name.replace(/\.json$/, ''),
      spec: normalize(BSON.EJSON.parse(readFileSync(join(directory, name), 'utf8'), { relaxed: false })) as UnifiedFile,
    }));
}

/* ------------------------------------------------------------ the server */

export interface ServerFacts {
  version: number[];
  topology: 'single' | 'replicaset' | 'sharded' | 'load-balanced';
  failCommand: boolean;
  /** Data-bearing members besides the primary (hello.hosts). */
  secondaries: number;
  parameters: Document;
}

export async function probeServer(client: MongoClient): Promise<ServerFacts> {
  const admin = client.db('admin');
  const hello = await admin.command({ hello: 1 });
  const buildInfo = await admin.command({ buildInfo: 1 });
  const version = (buildInfo.versionArray as number[] | undefined)?.slice(0, 3) ?? String(buildInfo.version).split('.').map(Number);
  const topology = hello.msg === 'isdbgrid' ? 'sharded' : hello.setName ? 'replicaset' : 'single';
  let failCommand = true;
  try {
    await admin.command({ configureFailPoint: 'failCommand', mode: 'off' });
  } catch {
    failCommand = false;
  }
  let parameters: Document = {};
  try {
    parameters = await admin.command({ getParameter: '*' });
  } catch {
    parameters = {};
  }
  const secondaries = Math.max(0, ((hello.hosts as string[] | undefined)?.length ?? 1) - 1);
  return { version, topology, failCommand, secondaries, parameters };
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function requirementUnmet(req: RunOnRequirement, server: ServerFacts): string | null {
  const parse = (v: string): number[] => v.split('.').map(Number);
  if (req.minServerVersion && compareVersions(server.version, parse(req.minServerVersion)) < 0) return `needs server ${req.minServerVersion}+`;
  if (req.maxServerVersion && compareVersions(server.version, parse(req.maxServerVersion)) > 0) return `needs server <= ${req.maxServerVersion}`;
  if (req.topologies && !req.topologies.includes(server.topology)) return `needs topology ${req.topologies.join('/')}`;
  if (req.serverless === 'require') return 'needs serverless';
  if (req.auth === true) return 'needs auth';
  if (req.csfle !== undefined || req.authMechanism !== undefined) return 'needs csfle/auth mechanism';
  if (req.serverParameters) {
    for (const [name, value] of Object.entries(req.serverParameters)) {
      try {
        match(value, server.parameters[name], { entity: () => undefined, sessionLsid: () => undefined });
      } catch {
        return `needs server parameter ${name}`;
      }
    }
  }
  return null;
}

function requirementsUnmet(reqs: RunOnRequirement[] | undefined, server: ServerFacts): string | null {
  if (!reqs || reqs.length === 0) return null;
  const reasons = reqs.map((r) => requirementUnmet(r, server));
  return reasons.includes(null) ? null : reasons[0]!;
}

/** Why a test cannot run against this server, or null when it can. */
export function notRunnableReason(file: UnifiedFile, test: UnifiedTest, server: ServerFacts): string | null {
  const fileReason = requirementsUnmet(file.runOnRequirements, server);
  if (fileReason) return fileReason;
  const testReason = requirementsUnmet(test.runOnRequirements, server);
  if (testReason) return testReason;
  if (test.skipReason) return `skipped by the spec: ${test.skipReason}`;
  if (!server.failCommand && test.operations.some((op) => op.object === 'testRunner' && (op.name === 'failPoint' || op.name === 'targetedFailPoint'))) {
    return 'needs the failCommand fail point';
  }
  // A client whose read preference is `secondary` cannot even connect to a set without one.
  const entities = [...(file.createEntities ?? []), ...test.operations.flatMap((op) => (op.name === 'createEntities' ? (op.arguments?.entities as Document[]) : []))];
  if (server.secondaries === 0 && entities.some((e) => e.client?.uriOptions?.readPreference === 'secondary')) return 'needs a secondary (one-member replica set)';
  return null;
}

/* -------------------------------------------------------------- entities */

interface ObservedEvent {
  kind: 'command' | 'cmap';
  name: string;
  event: Document;
}

interface ClientEntity {
  client: MongoClient;
  events: ObservedEvent[];
}

const SENSITIVE_COMMANDS = new Set(['hello', 'ismaster', 'saslstart', 'saslcontinue', 'getnonce', 'authenticate', 'createuser', 'updateuser', 'copydbgetnonce', 'copydbsaslstart', 'copydb']);

const EVENT_NAMES: Record<string, { driver: string; kind: 'command' | 'cmap' }> = {
  commandStartedEvent: { driver: 'commandStarted', kind: 'command' },
  commandSucceededEvent: { driver: 'commandSucceeded', kind: 'command' },
  commandFailedEvent: { driver: 'commandFailed', kind: 'command' },
  poolCreatedEvent: { driver: 'connectionPoolCreated', kind: 'cmap' },
  poolReadyEvent: { driver: 'connectionPoolReady', kind: 'cmap' },
  poolClearedEvent: { driver: 'connectionPoolCleared', kind: 'cmap' },
  poolClosedEvent: { driver: 'connectionPoolClosed', kind: 'cmap' },
  connectionCreatedEvent: { driver: 'connectionCreated', kind: 'cmap' },
  connectionReadyEvent: { driver: 'connectionReady', kind: 'cmap' },
  connectionClosedEvent: { driver: 'connectionClosed', kind: 'cmap' },
  connectionCheckOutStartedEvent: { driver: 'connectionCheckOutStarted', kind: 'cmap' },
  connectionCheckOutFailedEvent: { driver: 'connectionCheckOutFailed', kind: 'cmap' },
  connectionCheckedOutEvent: { driver: 'connectionCheckedOut', kind: 'cmap' },
  connectionCheckedInEvent: { driver: 'connectionCheckedIn', kind: 'cmap' },
};

function readPreferenceOf(value: unknown): ReadPreference | undefined {
  if (value === undefined) return undefined;
  if (value instanceof ReadPreference || typeof value === 'string') return value as ReadPreference;
  const doc = value as Document;
  return new ReadPreference(doc.mode, doc.tagSets, { ...(doc.maxStalenessSeconds !== undefined ? { maxStalenessSeconds: doc.maxStalenessSeconds } : {}), ...(doc.hedge ? { hedge: doc.hedge } : {}) });
}

/** readConcern / writeConcern / readPreference options as the driver takes them. */
function driverOptions(options: Document | undefined): Document {
  if (!options) return {};
  const out: Document = { ...options };
  if (out.readPreference !== undefined) out.readPreference = readPreferenceOf(out.readPreference);
  return out;
}

export class Entities implements MatchContext {
  readonly map = new Map<string, unknown>();
  readonly clients = new Map<string, ClientEntity>();
  readonly lsids = new Map<string, unknown>();
  /** Change streams the test opened (saved as entities or not), closed with its clients. */
  readonly changeStreams: ChangeStream[] = [];
  /** Command cursors the test opened (createCommandCursor), closed with its clients. */
  readonly cursors: RunCommandCursor[] = [];

  constructor(private readonly uri: string) {}

  entity(id: string): unknown {
    if (!this.map.has(id)) throw new Error(`no entity ${id}`);
    return this.map.get(id);
  }

  sessionLsid(id: string): unknown {
    if (!this.lsids.has(id)) throw new Error(`no session entity ${id}`);
    return this.lsids.get(id);
  }

  get<T>(id: string): T {
    return this.entity(id) as T;
  }

  async create(definitions: Document[]): Promise<void> {
    for (const definition of definitions) {
      const [type, spec] = Object.entries(definition)[0] as [string, Document];
      if (this.map.has(spec.id)) throw new Error(`entity ${spec.id} already exists`);
      switch (type) {
        case 'client': {
          const observe: string[] = spec.observeEvents ?? [];
          const ignore = new Set<string>(spec.ignoreCommandMonitoringEvents ?? []);
          // After a "not primary" error the driver checks the server again, at most every
          // minHeartbeatFrequencyMS (500 by default); the server answers at once, so the runner
          // shortens the wait (as the driver's legacy spec runner does) to keep the suites fast.
          const options: MongoClientOptions = { minHeartbeatFrequencyMS: 20, ...spec.uriOptions, monitorCommands: true };
          if (options.readPreference !== undefined) options.readPreference = readPreferenceOf(options.readPreference);
          if (spec.serverApi !== undefined) options.serverApi = spec.serverApi;
          const client = new MongoClient(this.uri, options);
          const entity: ClientEntity = { client, events: [] };
          for (const name of observe) {
            const known = EVENT_NAMES[name];
            if (!known) throw new Error(`unsupported event ${name}`);
            client.on(known.driver as 'commandStarted', (event: Document) => {
              const commandName = String(event.commandName ?? '');
              if (known.kind === 'command') {
                if (ignore.has(commandName) || commandName === 'configureFailPoint') return;
                if (!spec.observeSensitiveCommands && SENSITIVE_COMMANDS.has(commandName.toLowerCase())) return;
              }
              entity.events.push({ kind: known.kind, name, event });
            });
          }
          await client.connect();
          this.clients.set(spec.id, entity);
          this.map.set(spec.id, client);
          break;
        }
        case 'database': {
          const client = this.get<MongoClient>(spec.client);
          this.map.set(spec.id, client.db(spec.databaseName, driverOptions(spec.databaseOptions)));
          break;
        }
        case 'collection': {
          const db = this.get<Db>(spec.database);
          this.map.set(spec.id, db.collection(spec.collectionName, driverOptions(spec.collectionOptions)));
          break;
        }
        case 'bucket': {
          const db = this.get<Db>(spec.database);
          this.map.set(spec.id, new GridFSBucket(db, driverOptions(spec.bucketOptions)));
          break;
        }
        case 'session': {
          const client = this.get<MongoClient>(spec.client);
          const options: Document = { ...spec.sessionOptions };
          if (options.defaultTransactionOptions) options.defaultTransactionOptions = driverOptions(options.defaultTransactionOptions);
          const session = client.startSession(options);
          this.map.set(spec.id, session);
          this.lsids.set(spec.id, session.id);
          break;
        }
        default:
          throw new Error(`unsupported entity type ${type}`);
      }
    }
  }

  async close(): Promise<void> {
    for (const stream of this.changeStreams) await stream.close().catch(() => undefined);
    for (const cursor of this.cursors) await cursor.close().catch(() => undefined);
    for (const value of this.map.values()) {
      const session = value as ClientSession;
      if (session instanceof ClientSession) await session.endSession().catch(() => undefined);
    }
    for (const { client } of this.clients.values()) await client.close().catch(() => undefined);
  }
}

/* ------------------------------------------------------------ operations */

const TRANSACTION_STATES: Record<string, string> = {
  none: 'NO_TRANSACTION',
  starting: 'STARTING_TRANSACTION',
  in_progress: 'TRANSACTION_IN_PROGRESS',
  committed: 'TRANSACTION_COMMITTED',
  aborted: 'TRANSACTION_ABORTED',
};

function splitArgs(args: Document | undefined, entities: Entities, positional: string[]): { values: unknown[]; options: Document } {
  const options: Document = { ...args };
  const values = positional.map((name) => {
    const value = options[name];
    delete options[name];
    return value;
  });
  if (typeof options.session === 'string') options.session = entities.get<ClientSession>(options.session);
  if (typeof options.returnDocument === 'string') options.returnDocument = options.returnDocument.toLowerCase();
  if (options.readPreference !== undefined) options.readPreference = readPreferenceOf(options.readPreference);
  return { values, options };
}

async function collectionOperation(collection: Collection, name: string, args: Document | undefined, entities: Entities): Promise<unknown> {
  const a = (positional: string[]) => splitArgs(args, entities, positional);
  switch (name) {
    case 'aggregate': {
      const { values, options } = a(['pipeline']);
      return collection.aggregate(values[0] as Document[], options).toArray();
    }
    case 'bulkWrite': {
      const { values, options } = a(['requests']);
      return collection.bulkWrite(values[0] as never, options);
    }
    case 'count': {
      const { values, options } = a(['filter']);
      return collection.count((values[0] as Document) ?? {}, options);
    }
    case 'countDocuments': {
      const { values, options } = a(['filter']);
      return collection.countDocuments(values[0] as Document, options);
    }
    case 'estimatedDocumentCount':
      return collection.estimatedDocumentCount(a([]).options);
    case 'distinct': {
      const { values, options } = a(['fieldName', 'filter']);
      return collection.distinct(values[0] as string, (values[1] as Document) ?? {}, options);
    }
    case 'deleteOne':
    case 'deleteMany': {
      const { values, options } = a(['filter']);
      return collection[name](values[0] as Document, options);
    }
    case 'find': {
      const { values, options } = a(['filter']);
      return collection.find((values[0] as Document) ?? {}, options).toArray();
    }
    case 'findOne': {
      const { values, options } = a(['filter']);
      return collection.findOne((values[0] as Document) ?? {}, options);
    }
    case 'findOneAndDelete': {
      const { values, options } = a(['filter']);
      return collection.findOneAndDelete(values[0] as Document, options);
    }
    case 'findOneAndReplace': {
      const { values, options } = a(['filter', 'replacement']);
      return collection.findOneAndReplace(values[0] as Document, values[1] as Document, options);
    }
    case 'findOneAndUpdate': {
      const { values, options } = a(['filter', 'update']);
      return collection.findOneAndUpdate(values[0] as Document, values[1] as Document, options);
    }
    case 'insertOne': {
      const { values, options } = a(['document']);
      return collection.insertOne(values[0] as Document, options);
    }
    case 'insertMany': {
      const { values, options } = a(['documents']);
      return collection.insertMany(values[0] as Document[], options);
    }
    case 'replaceOne': {
      const { values, options } = a(['filter', 'replacement']);
      return collection.replaceOne(values[0] as Document, values[1] as Document, options);
    }
    case 'updateOne':
    case 'updateMany': {
      const { values, options } = a(['filter', 'update']);
      return collection[name](values[0] as Document, values[1] as Document, options);
    }
    case 'createIndex': {
      const { values, options } = a(['keys']);
      return collection.createIndex(values[0] as Document, options);
    }
    case 'drop':
      return collection.drop(a([]).options);
    case 'dropIndex': {
      const { values, options } = a(['name']);
      return collection.dropIndex(values[0] as string, options);
    }
    case 'rename': {
      const { values, options } = a(['to']);
      return collection.rename(values[0] as string, options);
    }
    case 'createChangeStream':
      return createChangeStream(collection, args, entities);
    case 'listIndexes':
      return collection.listIndexes(a([]).options).toArray();
    case 'listIndexNames':
      return (await collection.listIndexes(a([]).options).toArray()).map((index) => index.name as string);
    case 'createSearchIndex': {
      const { values } = a(['model']);
      return collection.createSearchIndex(values[0] as never);
    }
    case 'createSearchIndexes': {
      const { values } = a(['models']);
      return collection.createSearchIndexes(values[0] as never);
    }
    case 'dropSearchIndex': {
      const { values } = a(['name']);
      return collection.dropSearchIndex(values[0] as string);
    }
    case 'updateSearchIndex': {
      const { values } = a(['name', 'definition']);
      return collection.updateSearchIndex(values[0] as string, values[1] as Document);
    }
    case 'listSearchIndexes': {
      const { values, options } = a(['name', 'aggregationOptions']);
      const aggregationOptions = { ...(values[1] as Document | undefined), ...options };
      const cursor = values[0] === undefined ? collection.listSearchIndexes(aggregationOptions) : collection.listSearchIndexes(values[0] as string, aggregationOptions);
      return cursor.toArray();
    }
    default:
      throw new Error(`unsupported collection operation ${name}`);
  }
}

async function databaseOperation(db: Db, name: string, args: Document | undefined, entities: Entities): Promise<unknown> {
  const a = (positional: string[]) => splitArgs(args, entities, positional);
  switch (name) {
    case 'aggregate': {
      const { values, options } = a(['pipeline']);
      return db.aggregate(values[0] as Document[], options).toArray();
    }
    case 'runCommand': {
      const { values, options } = a(['command', 'commandName']);
      return db.command(values[0] as Document, options);
    }
    case 'createCollection': {
      const { values, options } = a(['collection']);
      return db.createCollection(values[0] as string, options);
    }
    case 'dropCollection': {
      const { values, options } = a(['collection']);
      return db.dropCollection(values[0] as string, options);
    }
    case 'modifyCollection': {
      const { values, options } = a(['collection']);
      const { session, ...rest } = options;
      return db.command({ collMod: values[0], ...rest }, session ? { session } : {});
    }
    case 'createChangeStream':
      return createChangeStream(db, args, entities);
    case 'listCollectionNames': {
      const { values, options } = a(['filter']);
      return (await db.listCollections((values[0] as Document) ?? {}, options).toArray()).map((c) => c.name);
    }
    case 'listCollections':
    case 'listCollectionObjects': {
      const { values, options } = a(['filter']);
      return db.listCollections((values[0] as Document) ?? {}, options).toArray();
    }
    case 'runCursorCommand':
      return commandCursor(db, args, entities).toArray();
    case 'createCommandCursor': {
      const cursor = commandCursor(db, args, entities);
      entities.cursors.push(cursor);
      // The command runs now (its errors belong to this operation); its documents stay for the iterations.
      await cursor.hasNext();
      return cursor;
    }
    default:
      throw new Error(`unsupported database operation ${name}`);
  }
}

/** `db.runCursorCommand` with the getMore options the test gives (batchSize, maxTimeMS, comment). */
function commandCursor(db: Db, args: Document | undefined, entities: Entities): RunCommandCursor {
  const { values, options } = splitArgs(args, entities, ['command', 'commandName', 'batchSize', 'maxTimeMS', 'comment', 'cursorType', 'timeoutMode']);
  const [command, , batchSize, maxTimeMS, comment] = values;
  const cursor = db.runCursorCommand(command as Document, options);
  if (batchSize !== undefined) cursor.setBatchSize(batchSize as number);
  if (maxTimeMS !== undefined) cursor.setMaxTimeMS(maxTimeMS as number);
  if (comment !== undefined) cursor.setComment(comment);
  return cursor;
}

async function cursorOperation(cursor: RunCommandCursor, name: string): Promise<unknown> {
  switch (name) {
    case 'iterateUntilDocumentOrError':
      return cursor.next();
    case 'iterateOnce':
      return cursor.tryNext();
    case 'close':
      return cursor.close();
    default:
      throw new Error(`unsupported cursor operation ${name}`);
  }
}

/** GridFS downloads, answered as the file's bytes. */
async function bucketOperation(bucket: GridFSBucket, name: string, args: Document | undefined): Promise<unknown> {
  const read = async (stream: AsyncIterable<Buffer>) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    return Buffer.concat(chunks);
  };
  switch (name) {
    case 'download':
      return read(bucket.openDownloadStream(args?.id));
    case 'downloadByName': {
      const { filename, ...options } = args ?? {};
      return read(bucket.openDownloadStreamByName(filename as string, options));
    }
    default:
      throw new Error(`unsupported bucket operation ${name}`);
  }
}

async function clientOperation(client: MongoClient, name: string, args: Document | undefined, entities: Entities): Promise<unknown> {
  const { values, options } = splitArgs(args, entities, ['models']);
  switch (name) {
    case 'listDatabases':
    case 'listDatabaseObjects': {
      const { filter, ...rest } = options;
      return (
        await client
          .db('admin')
          .admin()
          .listDatabases({ ...rest, ...(filter !== undefined ? { filter } : {}) })
      ).databases;
    }
    case 'listDatabaseNames': {
      const { filter, ...rest } = options;
      return (
        await client
          .db('admin')
          .admin()
          .listDatabases({ ...rest, nameOnly: true, ...(filter !== undefined ? { filter } : {}) })
      ).databases.map((d) => d.name);
    }
    case 'createChangeStream':
      return createChangeStream(client, args, entities);
    case 'clientBulkWrite': {
      const models = (values[0] as Document[]).map((model) => {
        const [op, body] = Object.entries(model)[0] as [string, Document];
        return { name: op, ...body };
      });
      return client.bulkWrite(models as never, options);
    }
    default:
      throw new Error(`unsupported client operation ${name}`);
  }
}

/**
 * `watch()` with the test's pipeline and options, opened at once (the driver's own runner does the
 * same through the cursor's private `cursorInit`): the aggregate's errors belong to this operation.
 */
async function createChangeStream(target: MongoClient | Db | Collection, args: Document | undefined, entities: Entities): Promise<ChangeStream> {
  const { values, options } = splitArgs(args, entities, ['pipeline']);
  const stream = target.watch((values[0] as Document[] | undefined) ?? [], options);
  entities.changeStreams.push(stream);
  await (stream as unknown as { cursor: { cursorInit(): Promise<void> } }).cursor.cursorInit();
  return stream;
}

/** iterateUntilDocumentOrError (next: waits for an event) and iterateOnce (tryNext: one getMore at most). */
async function changeStreamOperation(stream: ChangeStream, name: string): Promise<unknown> {
  switch (name) {
    case 'iterateUntilDocumentOrError':
      return stream.next();
    case 'iterateOnce':
      return stream.tryNext();
    case 'close':
      return stream.close();
    default:
      throw new Error(`unsupported change stream operation ${name}`);
  }
}

async function sessionOperation(session: ClientSession, name: string, args: Document | undefined, run: (operation: UnifiedOperation) => Promise<void>): Promise<unknown> {
  switch (name) {
    case 'startTransaction':
      return session.startTransaction(driverOptions(args));
    case 'commitTransaction':
      return session.commitTransaction();
    case 'abortTransaction':
      return session.abortTransaction();
    case 'endSession':
      return session.endSession();
    case 'withTransaction': {
      const { callback, ...options } = args ?? {};
      return session.withTransaction(async () => {
        for (const operation of callback as UnifiedOperation[]) await run(operation);
      }, driverOptions(options));
    }
    default:
      throw new Error(`unsupported session operation ${name}`);
  }
}

export class UnifiedRunner {
  /** Fail points armed by the running test, turned off when it ends. */
  private readonly armedFailPoints = new Set<string>();

  constructor(
    /** A client of the runner's own (initialData, outcome, assertions), never observed. */
    private readonly utility: MongoClient,
    private readonly uri: string,
  ) {}

  async run(file: UnifiedFile, test: UnifiedTest): Promise<void> {
    // Leftover transactions of an earlier test must not block this one's initialData.
    await this.utility
      .db('admin')
      .command({ killAllSessions: [] })
      .catch(() => undefined);
    for (const data of file.initialData ?? []) {
      const db = this.utility.db(data.databaseName);
      await db
        .collection(data.collectionName)
        .drop({ writeConcern: { w: 'majority' } })
        .catch(() => undefined);
      if (data.createOptions) await db.createCollection(data.collectionName, { ...data.createOptions, writeConcern: { w: 'majority' } });
      if (data.documents.length > 0) await db.collection(data.collectionName).insertMany(data.documents, { writeConcern: { w: 'majority' } });
      else if (!data.createOptions) await db.createCollection(data.collectionName, { writeConcern: { w: 'majority' } });
    }
    const entities = new Entities(this.uri);
    try {
      await entities.create(file.createEntities ?? []);
      for (const [index, operation] of test.operations.entries()) {
        try {
          await this.runOperation(operation, entities);
        } catch (error) {
          if (error instanceof Error) error.message = `operation ${index} (${operation.object}.${operation.name}): ${error.message}`;
          throw error;
        }
      }
      for (const expected of test.expectEvents ?? []) this.checkEvents(expected, entities);
      for (const expected of test.outcome ?? []) {
        const actual = await this.utility
          .db(expected.databaseName)
          .collection(expected.collectionName)
          .find({}, { sort: { _id: 1 }, readPreference: ReadPreference.primary, readConcern: { level: 'local' } })
          .toArray();
        match(expected.documents, actual, entities, `outcome ${expected.collectionName}`, false);
      }
    } finally {
      await this.disarmFailPoints();
      await entities.close();
    }
  }

  /** `failPoint` (through the named client) and `targetedFailPoint` (the session's server: the one server here). */
  private async armFailPoint(client: MongoClient, failPoint: Document): Promise<void> {
    await client.db('admin').command(failPoint);
    this.armedFailPoints.add(String(failPoint.configureFailPoint));
  }

  private async disarmFailPoints(): Promise<void> {
    const names = [...this.armedFailPoints];
    this.armedFailPoints.clear();
    for (const name of names) await this.utility.db('admin').command({ configureFailPoint: name, mode: 'off' });
  }

  private checkEvents(expected: NonNullable<UnifiedTest['expectEvents']>[number], entities: Entities): void {
    const client = entities.clients.get(expected.client);
    if (!client) throw new Error(`no client entity ${expected.client}`);
    const kind = expected.eventType === 'cmap' ? 'cmap' : 'command';
    const actual = client.events.filter((e) => e.kind === kind);
    const summary = () => actual.map((e) => `${e.name}:${e.event.commandName ?? ''}`).join(', ');
    if (expected.ignoreExtraEvents ? actual.length < expected.events.length : actual.length !== expected.events.length) {
      throw new MatchError(`expected ${expected.events.length} ${kind} events, got ${actual.length}: ${summary()}`);
    }
    const commandContext: MatchContext = { entity: (id) => entities.entity(id), sessionLsid: (id) => entities.sessionLsid(id), allowExtraFields: true };
    expected.events.forEach((wanted, i) => {
      const [name, fields] = Object.entries(wanted)[0] as [string, Document];
      const got = actual[i]!;
      const path = `event ${i} (${name})`;
      if (got.name !== name) throw new MatchError(`${path}: got ${got.name} (${summary()})`);
      for (const [field, value] of Object.entries(fields)) {
        if (field === 'command') match(value, got.event.command, commandContext, `${path}.command`, true);
        else if (field === 'reply') match(value, got.event.reply, entities, `${path}.reply`, true);
        else if (field === 'hasServiceId') match(value, got.event.serviceId !== undefined, entities, `${path}.hasServiceId`);
        else if (field === 'hasServerConnectionId') match(value, got.event.serverConnectionId != null, entities, `${path}.hasServerConnectionId`);
        else match(value, got.event[field], entities, `${path}.${field}`);
      }
    });
  }

  private async runOperation(operation: UnifiedOperation, entities: Entities): Promise<void> {
    let result: unknown;
    let error: unknown;
    let threw = false;
    try {
      result = await this.execute(operation, entities);
    } catch (e) {
      threw = true;
      error = e;
    }
    if (operation.ignoreResultAndError) return;
    if (operation.expectError) {
      if (!threw) throw new MatchError(`expected an error, got result ${BSON.EJSON.stringify(result as never, { relaxed: true })}`);
      checkError(operation.expectError, error, entities);
      return;
    }
    if (threw) throw error;
    if (operation.expectResult !== undefined) match(operation.expectResult, toMatchable(result), entities, 'result', true);
    if (operation.saveResultAsEntity) entities.map.set(operation.saveResultAsEntity, result);
  }

  private async execute(operation: UnifiedOperation, entities: Entities): Promise<unknown> {
    const { name, object } = operation;
    const args = operation.arguments;
    if (object === 'testRunner') return this.testRunnerOperation(name, args ?? {}, entities);
    const target = entities.entity(object);
    if (target instanceof MongoClient) return clientOperation(target, name, args, entities);
    if (target instanceof Db) return databaseOperation(target, name, args, entities);
    if (target instanceof Collection) return collectionOperation(target, name, args, entities);
    if (target instanceof ClientSession) return sessionOperation(target, name, args, (op) => this.runOperation(op, entities));
    if (target instanceof ChangeStream) return changeStreamOperation(target, name);
    if (target instanceof AbstractCursor) return cursorOperation(target as RunCommandCursor, name);
    if (target instanceof GridFSBucket) return bucketOperation(target, name, args);
    throw new Error(`unsupported entity ${object}`);
  }

  private async testRunnerOperation(name: string, args: Document, entities: Entities): Promise<unknown> {
    const collections = async () => (await this.utility.db(args.databaseName).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    const indexes = async () =>
      (
        await this.utility
          .db(args.databaseName)
          .collection(args.collectionName)
          .listIndexes()
          .toArray()
          .catch(() => [])
      ).map((i) => i.name);
    switch (name) {
      case 'createEntities':
        return entities.create(args.entities);
      case 'failPoint':
        return this.armFailPoint(entities.get<MongoClient>(args.client), args.failPoint);
      case 'targetedFailPoint': {
        const session = entities.get<ClientSession>(args.session);
        return this.armFailPoint((session as unknown as { client: MongoClient }).client, args.failPoint);
      }
      case 'assertCollectionExists':
        if (!(await collections()).includes(args.collectionName)) throw new MatchError(`collection ${args.collectionName} does not exist`);
        return undefined;
      case 'assertCollectionNotExists':
        if ((await collections()).includes(args.collectionName)) throw new MatchError(`collection ${args.collectionName} exists`);
        return undefined;
      case 'assertIndexExists':
        if (!(await indexes()).includes(args.indexName)) throw new MatchError(`index ${args.indexName} does not exist`);
        return undefined;
      case 'assertIndexNotExists':
        if ((await indexes()).includes(args.indexName)) throw new MatchError(`index ${args.indexName} exists`);
        return undefined;
      case 'assertSessionTransactionState': {
        const session = entities.get<ClientSession>(args.session);
        const state = (session as unknown as { transaction: { state: string } }).transaction.state;
        const wanted = TRANSACTION_STATES[args.state as string];
        if (state !== wanted && !(wanted === 'TRANSACTION_COMMITTED' && state === 'TRANSACTION_COMMITTED_EMPTY')) {
          throw new MatchError(`session transaction state ${state}, expected ${wanted}`);
        }
        return undefined;
      }
      case 'assertSessionPinned':
      case 'assertSessionUnpinned': {
        const session = entities.get<ClientSession>(args.session);
        const pinned = (session as unknown as { isPinned: boolean }).isPinned;
        if (pinned !== (name === 'assertSessionPinned')) throw new MatchError(`session is ${pinned ? '' : 'not '}pinned`);
        return undefined;
      }
      case 'assertSessionDirty':
      case 'assertSessionNotDirty': {
        const session = entities.get<ClientSession>(args.session);
        const dirty = (session as unknown as { serverSession?: { isDirty: boolean } }).serverSession?.isDirty === true;
        if (dirty !== (name === 'assertSessionDirty')) throw new MatchError(`session is ${dirty ? '' : 'not '}dirty`);
        return undefined;
      }
      case 'assertSameLsidOnLastTwoCommands':
      case 'assertDifferentLsidOnLastTwoCommands': {
        const events = entities.clients.get(args.client)!.events.filter((e) => e.name === 'commandStartedEvent');
        const [a, b] = events.slice(-2).map((e) => BSON.EJSON.stringify(e.event.command.lsid));
        if ((a === b) !== (name === 'assertSameLsidOnLastTwoCommands')) throw new MatchError(`${name} failed`);
        return undefined;
      }
      default:
        throw new Error(`unsupported testRunner operation ${name}`);
    }
  }
}

/**
 * Driver result objects (BulkWriteResult, ...) as plain values the matcher can walk. The Node
 * driver adds `didUpsert` to each of a client bulk write's update results, a field the spec's
 * UpdateResult does not have; nested documents must match exactly, so it is left out.
 */
function toMatchable(result: unknown): unknown {
  const updateResults = (result as { updateResults?: unknown } | null)?.updateResults;
  if (!(updateResults instanceof Map)) return result;
  const withoutDidUpsert = new Map([...updateResults].map(([index, { didUpsert: _didUpsert, ...rest }]: [unknown, Document]) => [index, rest]));
  return Object.assign(Object.create(Object.getPrototypeOf(result) as object) as object, result, { updateResults: withoutDidUpsert });
}

function checkError(expected: Document, thrown: unknown, entities: Entities): void {
  // A client bulk write that fails as a whole wraps the server's error (its `cause`); the
  // assertions about the error are about that one, those about results about the wrapper.
  const error = thrown instanceof MongoClientBulkWriteError && thrown.cause instanceof MongoServerError ? thrown.cause : thrown;
  const e = error as Document & Error;
  const isServerError = error instanceof MongoServerError;
  if (expected.isClientError === true && isServerError) throw new MatchError(`expected a client error, got server error ${e.code}: ${e.message}`);
  if (expected.isClientError === false && !isServerError) throw new MatchError(`expected a server error, got ${e.name}: ${e.message}`);
  if (expected.errorContains !== undefined && !String(e.message).toLowerCase().includes(String(expected.errorContains).toLowerCase())) {
    throw new MatchError(`expected error containing "${expected.errorContains}", got ${e.name}: ${e.message}`);
  }
  if (expected.errorCode !== undefined && e.code !== expected.errorCode) throw new MatchError(`expected error code ${expected.errorCode}, got ${e.code} (${e.message})`);
  if (expected.errorCodeName !== undefined && e.codeName !== expected.errorCodeName) {
    throw new MatchError(`expected error code name ${expected.errorCodeName}, got ${e.codeName} (${e.message})`);
  }
  const labels: string[] = typeof e.errorLabels === 'object' && e.errorLabels ? [...(e.errorLabels as Iterable<string>)] : [];
  for (const label of (expected.errorLabelsContain as string[] | undefined) ?? []) {
    if (!labels.includes(label)) throw new MatchError(`expected error label ${label}, got [${labels.join(', ')}] (${e.message})`);
  }
  for (const label of (expected.errorLabelsOmit as string[] | undefined) ?? []) {
    if (labels.includes(label)) throw new MatchError(`expected no error label ${label} (${e.message})`);
  }
  if (expected.expectResult !== undefined) {
    const outer = thrown as Document;
    const partial = thrown instanceof MongoBulkWriteError ? thrown.result : (outer.partialResult ?? outer.result);
    match(expected.expectResult, partial, entities, 'error result', true);
  }
  if (expected.errorResponse !== undefined) match(expected.errorResponse, e.errorResponse ?? e, entities, 'errorResponse', true);
  if (expected.writeErrors !== undefined) checkWriteErrors(expected.writeErrors as Document, (thrown as Document).writeErrors, entities);
  if (expected.writeConcernErrors !== undefined) match(expected.writeConcernErrors, (thrown as Document).writeConcernErrors, entities, 'writeConcernErrors', true);
}

/**
 * A client bulk write's `writeErrors` (index → error): the same indexes, each error matched as a
 * root-level document (the driver's errors carry `message` beside the `code` the spec names).
 */
function checkWriteErrors(expected: Document, actual: unknown, entities: Entities): void {
  if (!(actual instanceof Map)) throw new MatchError(`writeErrors: expected a map of write errors, got ${String(actual)}`);
  const indexes = [...actual.keys()].map(String).sort();
  if (indexes.join() !== Object.keys(expected).sort().join()) throw new MatchError(`writeErrors: expected indexes [${Object.keys(expected).join(', ')}], got [${indexes.join(', ')}]`);
  for (const [index, error] of Object.entries(expected)) match(error, actual.get(Number(index)), entities, `writeErrors.${index}`, true);
}
