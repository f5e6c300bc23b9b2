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
  return client;
}
