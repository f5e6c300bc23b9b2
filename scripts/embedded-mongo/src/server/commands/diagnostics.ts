import type { Document } from 'bson';
import { Long } from 'bson';
import type { CommandContext } from '../command-context.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';

/** Small informational commands drivers, shells and tools call; each answers the fields they read. */

/** The MongoDB release the engine claims to be (hello's maxWireVersion and the FCV follow it). */
export const SERVER_VERSION = '8.0.0';
export const FEATURE_COMPATIBILITY_VERSION = '8.0';

export function ping(): Document {
  return { ok: 1 };
}

export function buildInfo(): Document {
  return {
    version: SERVER_VERSION,
    gitVersion: 'embedded-mongo',
    versionArray: [8, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: 16 * 1024 * 1024,
    storageEngines: ['embedded'],
    modules: [],
    ok: 1,
  };
}

export function getParameter(ctx: CommandContext): Document {
  const reply: Document = {};
  const all = ctx.body.getParameter === '*';
  if (all || ctx.body.featureCompatibilityVersion !== undefined) reply.featureCompatibilityVersion = { version: FEATURE_COMPATIBILITY_VERSION };
  if (all || ctx.body.transactionLifetimeLimitSeconds !== undefined) reply.transactionLifetimeLimitSeconds = ctx.state.transactionLifetimeSeconds;
  reply.ok = 1;
  return reply;
}

export function serverStatus(ctx: CommandContext): Document {
  const { state } = ctx;
  const uptimeMs = Date.now() - state.startedAt;
  return {
    host: state.hostAndPort,
    version: SERVER_VERSION,
    process: 'embedded-mongo',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor(uptimeMs / 1000),
    uptimeMillis: Long.fromNumber(uptimeMs),
    localTime: new Date(),
    connections: { current: state.connectionsOpen, available: 100_000, totalCreated: state.connectionsTotal },
    mem: { resident: Math.round(process.memoryUsage().rss / 1024 / 1024), virtual: 0 },
    transactions: {
      currentOpen: state.engine.txns.openTransactions.size,
      totalStarted: Long.fromNumber(state.engine.txns.totals.started),
      totalCommitted: Long.fromNumber(state.engine.txns.totals.committed),
      totalAborted: Long.fromNumber(state.engine.txns.totals.aborted),
    },
    embeddedMongo: { writesWaitingForTransactions: state.waitingWrites },
    logicalSessionRecordCache: { activeSessionsCount: state.sessions.size },
    metrics: { cursor: { open: { total: state.cursors.size } } },
    ok: 1,
  };
}

export function hostInfo(): Document {
  return { system: { hostname: '127.0.0.1', currentTime: new Date() }, os: { type: process.platform }, extra: {}, ok: 1 };
}

export function whatsmyuri(ctx: CommandContext): Document {
  return { you: `127.0.0.1:${ctx.connectionId}`, ok: 1 };
}

export function connectionStatus(): Document {
  return { authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 };
}

export function getCmdLineOpts(): Document {
  return { argv: process.argv, parsed: {}, ok: 1 };
}

export function getLog(): Document {
  return { totalLinesWritten: 0, log: [], ok: 1 };
}

/**
 * `configureFailPoint` (only with test commands enabled; see fail-points.ts): admin only, as in mongod.
 */
export function configureFailPoint(ctx: CommandContext): Document {
  if (ctx.db !== 'admin') throw new MongoCommandError(ErrorCode.Unauthorized, 'configureFailPoint may only be run against the admin database.');
  return ctx.state.failPoints.configure(ctx.body);
}

/**
 * `setParameter` at runtime, as mongod allows for the one parameter the engine has:
 * `{ setParameter: 1, transactionLifetimeLimitSeconds: N }` answers `{ was, ok }`.
 */
export function setParameter(ctx: CommandContext): Document {
  const { setParameter: _command, $db: _db, lsid: _lsid, $clusterTime: _clusterTime, $readPreference: _readPreference, ...parameters } = ctx.body as Document;
  if ((ctx.body as Document)['$db'] !== 'admin') throw new MongoCommandError(ErrorCode.Unauthorized, 'setParameter may only be run against the admin database.');
  const names = Object.keys(parameters);
  if (names.length === 0) throw new MongoCommandError(ErrorCode.BadValue, 'no option found to set, use help:true to see options');
  const unknown = names.find((name) => name !== 'transactionLifetimeLimitSeconds');
  if (unknown !== undefined) throw new MongoCommandError(ErrorCode.InvalidOptions, `attempted to set unrecognized parameter [${unknown}], use help:true to see options`);
  const value = Number(parameters['transactionLifetimeLimitSeconds']);
  if (!Number.isInteger(value) || value < 1)
    throw new MongoCommandError(ErrorCode.BadValue, `transactionLifetimeLimitSeconds must be greater than or equal to 1s instead of ${String(parameters['transactionLifetimeLimitSeconds'])}s`);
  const was = ctx.state.transactionLifetimeSeconds;
  ctx.state.transactionLifetimeSeconds = value;
  return { was, ok: 1 };
}
