import { MongoClient, type MongoClientOptions } from 'mongodb';
import { toMongoClientOptions, type MongoConfig } from './mongo-config.js';
import { monitorConnectionPool } from './pool-monitor.js';

export interface ConnectMongoOptions {
  /** The brief's pool and concern settings; defaults are `DEFAULT_MONGO_CONFIG`. */
  config?: Partial<MongoConfig>;
  /** Any other driver option (timeouts, TLS, appName). */
  clientOptions?: MongoClientOptions;
}

/**
 * A connected client with pool monitoring attached before the first pool exists, so
 * `getConnectionPoolStats` counts every connection from the start.
 */
export async function connectMongo(uri: string, options: ConnectMongoOptions = {}): Promise<MongoClient> {
  const client = new MongoClient(uri, toMongoClientOptions(options.config, options.clientOptions));
  monitorConnectionPool(client);
  await client.connect();
  try {
    await assertProductionDatabase(client);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/**
 * Production never runs on the embedded development engine (it has no replication, no
 * sharding and one process owns all data): with NODE_ENV=production, a server that identifies
 * itself as the engine in `buildInfo` stops start-up.
 */
export async function assertProductionDatabase(client: MongoClient, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env['NODE_ENV'] !== 'production') return;
  const info = await client.db('admin').command({ buildInfo: 1 });
  if (info['gitVersion'] === 'embedded-mongo') {
    throw new Error('NODE_ENV=production refuses the embedded development engine: set MONGO_URI to a MongoDB replica set');
  }
}
