import { EventEmitter } from 'node:events';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError } from '../errors/graphql-error.js';
import { getLogger } from '../logger/logger.js';
import { startTracing } from '../tracing/start-tracing.js';
import type { HealthCheckFn, HealthCheckResult } from './health-checks.js';
import { createHealthReporter, type HealthReporter, type HealthReporterOptions } from './health-report.js';

export type LifecycleState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface ServiceLifecycleOptions {
  serviceName: string;
  /**
   * Whole shutdown budget, ms (default 25 000: under Kubernetes' default 30 s grace period, so
   * we finish before SIGKILL).
   */
  shutdownTimeoutMs?: number;
  /** Budget of each readiness check, ms (default 2 000). */
  healthCheckTimeoutMs?: number;
}

export interface ShutdownReport {
  reason: string;
  drained: boolean;
  /** Requests still running when the drain deadline passed. */
  abandonedRequests: number;
  /** Stop steps that did not finish in the remaining time. */
  timedOut: string[];
  failed: string[];
  durationMs: number;
}

// Type aliases, not interfaces: callers treat reports as `Record<string, unknown>` (JSON bodies).
export type ServiceLivenessReport = {
  status: 'ok' | 'fail';
  service: string;
  state: LifecycleState;
  uptimeSeconds: number;
};

export type ServiceReadinessReport = {
  /** Same meaning as `status === 'ready'`; matches the subgraph server's `readiness` contract. */
  ready: boolean;
  status: 'ready' | 'not-ready';
  service: string;
  state: LifecycleState;
  checks: Record<string, HealthCheckResult & { critical: boolean }>;
};

interface StartStep {
  name: string;
  start: () => Promise<void> | void;
  stop: (() => Promise<void> | void) | undefined;
}

interface HealthCheckEntry {
  name: string;
  check: HealthCheckFn;
  critical: boolean;
}

/**
 * A service's start-up, graceful shutdown and health data.
 *
 * Start-up runs steps in order (connect, ensure indexes, start tasks); a step's stop function is
 * registered once the step has started, so a failure half-way closes exactly what was opened.
 * Shutdown (SIGTERM): stop accepting (readiness turns not-ready, new requests are refused), wait
 * for in-flight requests, then run stop steps in reverse start order — all within one deadline,
 * after which remaining steps are abandoned so the process can exit before the orchestrator's
 * SIGKILL.
 *
 * Hand-written: terminus / lightship tie shutdown to an HTTP server and their own probes server;
 * services here are GraphQL subgraphs whose server, queues and connections all need the same
 * ordered drain, and health data is served by the service's own HTTP layer.
 *
 * Events: 'state' (state), 'stopping' (reason), 'stopped' (report).
 */
export class ServiceLifecycle extends EventEmitter {
  readonly serviceName: string;
  private readonly shutdownTimeoutMs: number;
  private readonly healthCheckTimeoutMs: number;
  private readonly steps: StartStep[] = [];
  private readonly stopStack: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  private readonly stopAcceptingHooks: Array<() => Promise<void> | void> = [];
  private readonly healthChecks: HealthCheckEntry[] = [];
  private currentState: LifecycleState = 'created';
  private inFlight = 0;
  private drainWaiters: Array<() => void> = [];
  private shutdownPromise: Promise<ShutdownReport> | undefined;
  private readonly createdAt = Date.now();
  private signalHandlers: Array<{ signal: NodeJS.Signals; handler: () => void }> = [];

  constructor(options: ServiceLifecycleOptions) {
    super();
    this.serviceName = options.serviceName;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 25_000;
    this.healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? 2_000;
  }

  get state(): LifecycleState {
    return this.currentState;
  }

  /** Adds a start-up step, and optionally how to undo it at shutdown. */
  onStart(name: string, start: () => Promise<void> | void, stop?: () => Promise<void> | void): this {
    this.steps.push({ name, start, stop });
    return this;
  }

  /** Adds a shutdown-only step (runs in reverse order with the start steps' stop functions). */
  onStop(name: string, stop: () => Promise<void> | void): this {
    this.stopStack.push({ name, stop });
    return this;
  }

  /** Runs first at shutdown, before the drain: close listeners, pause queue workers. */
  onStopAccepting(hook: () => Promise<void> | void): this {
    this.stopAcceptingHooks.push(hook);
    return this;
  }

  /** A readiness check; a failing critical check makes the service not ready. */
  addHealthCheck(name: string, check: HealthCheckFn, options: { critical?: boolean } = {}): this {
    this.healthChecks.push({ name, check, critical: options.critical ?? true });
    return this;
  }

  /**
   * Publishes this process's health report (health-report.ts, read by the admin `systemHealth`)
   * from this start step on: every interval and as soon as the service is running; the stop
   * removes it. Readiness defaults to `getReadiness()`.
   */
  reportHealth(options: Omit<HealthReporterOptions, 'service' | 'readiness'> & { readiness?: HealthReporterOptions['readiness'] }): HealthReporter {
    const reporter = createHealthReporter({ ...options, service: this.serviceName, readiness: options.readiness ?? (() => this.getReadiness()) });
    const onState = (state: LifecycleState): void => {
      if (state === 'running') void reporter.publish();
    };
    this.onStart(
      'health-report',
      async () => {
        await reporter.start();
        this.on('state', onState);
      },
      async () => {
        this.off('state', onState);
        await reporter.stop();
      },
    );
    return reporter;
  }

  async start(): Promise<void> {
    if (this.currentState !== 'created') throw new Error(`${this.serviceName} cannot start from state ${this.currentState}`);
    this.setState('starting');
    const log = getLogger(this.serviceName);
    // Usually already started by the `--import` register file (see tracing/register.ts), which
    // alone can instrument ES modules; then this only returns its handle. Its flush goes to the
    // bottom of the stop stack, so it runs last and exports the spans of the whole shutdown.
    const tracing = await startTracing({ serviceName: this.serviceName });
    if (tracing.enabled) this.stopStack.unshift({ name: 'tracing', stop: () => tracing.flush() });
    for (const step of this.steps) {
      const started = performance.now();
      try {
        await step.start();
      } catch (error) {
        log.error({ err: error, step: step.name }, 'start-up step failed; closing what was started');
        await this.runStopSteps(Date.now() + this.shutdownTimeoutMs);
        this.setState('failed');
        throw error;
      }
      if (step.stop !== undefined) this.stopStack.push({ name: step.name, stop: step.stop });
      log.info({ step: step.name, ms: Math.round(performance.now() - started) }, 'started');
    }
    this.setState('running');
  }

  isAcceptingRequests(): boolean {
    return this.currentState === 'running';
  }

  /**
   * Marks a request as in flight; call the returned function when it ends. Throws
   * SERVICE_UNAVAILABLE once shutdown began, so load balancers retry elsewhere.
   */
  beginRequest(): () => void {
    if (!this.isAcceptingRequests()) {
      throw createServiceError(CORE_ERRORS.ServiceUnavailable, `${this.serviceName} is not accepting requests`, {
        state: this.currentState,
      });
    }
    this.inFlight += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const waiter of this.drainWaiters.splice(0)) waiter();
    };
  }

  /** Runs `fn` as a tracked request. */
  async trackRequest<T>(fn: () => Promise<T>): Promise<T> {
    const end = this.beginRequest();
    try {
      return await fn();
    } finally {
      end();
    }
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** Graceful shutdown; idempotent (a second signal waits for the same shutdown). */
  shutdown(reason = 'shutdown'): Promise<ShutdownReport> {
    this.shutdownPromise ??= this.runShutdown(reason);
    return this.shutdownPromise;
  }

  /**
   * Shuts down on SIGTERM/SIGINT, then exits (0 when everything closed in time, 1 otherwise).
   * `exit: false` leaves exiting to the caller (tests, embedding).
   */
  installSignalHandlers(options: { signals?: NodeJS.Signals[]; exit?: boolean } = {}): () => void {
    const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
    for (const signal of signals) {
      const handler = (): void => {
        void this.shutdown(signal).then((report) => {
          if (options.exit !== false) process.exit(report.timedOut.length + report.failed.length === 0 ? 0 : 1);
        });
      };
      process.on(signal, handler);
      this.signalHandlers.push({ signal, handler });
    }
    return () => this.removeSignalHandlers();
  }

  /** `/health/live`: the process works (event loop turning, not stopped). Never checks dependencies. */
  getLiveness(): ServiceLivenessReport {
    const isAlive = this.currentState !== 'stopped' && this.currentState !== 'failed';
    return {
      status: isAlive ? 'ok' : 'fail',
      service: this.serviceName,
      state: this.currentState,
      uptimeSeconds: Math.round((Date.now() - this.createdAt) / 1000),
    };
  }

  /** `/health/ready`: running and every critical dependency answers in time. */
  async getReadiness(): Promise<ServiceReadinessReport> {
    const entries = await Promise.all(this.healthChecks.map(async (entry) => [entry.name, { ...(await this.runCheck(entry)), critical: entry.critical }] as const));
    const checks = Object.fromEntries(entries);
    const isReady = this.currentState === 'running' && entries.every(([, result]) => result.healthy || !result.critical);
    return { ready: isReady, status: isReady ? 'ready' : 'not-ready', service: this.serviceName, state: this.currentState, checks };
  }

  private async runCheck(entry: HealthCheckEntry): Promise<HealthCheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        Promise.resolve().then(entry.check),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${this.healthCheckTimeoutMs} ms`)), this.healthCheckTimeoutMs);
        }),
      ]);
      return typeof result === 'boolean' ? { healthy: result, latencyMs: Math.round(performance.now() - started) } : result;
    } catch (error) {
      return {
        healthy: false,
        latencyMs: Math.round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private async runShutdown(reason: string): Promise<ShutdownReport> {
    const started = Date.now();
    const deadline = started + this.shutdownTimeoutMs;
    const log = getLogger(this.serviceName);
    this.setState('stopping');
    this.emit('stopping', reason);
    log.info({ reason, inFlight: this.inFlight }, 'shutting down');

    for (const hook of this.stopAcceptingHooks) {
      await withDeadline(Promise.resolve().then(hook), deadline).catch((error: unknown) => log.error({ err: error }, 'stop-accepting hook failed'));
    }

    const drained = await this.waitForDrain(deadline);
    const abandonedRequests = this.inFlight;
    if (!drained) log.warn({ abandonedRequests }, 'drain deadline passed with requests still running');

    const { timedOut, failed } = await this.runStopSteps(deadline);
    this.removeSignalHandlers();
    const report: ShutdownReport = { reason, drained, abandonedRequests, timedOut, failed, durationMs: Date.now() - started };
    this.setState('stopped');
    log.info(report, 'stopped');
    this.emit('stopped', report);
    return report;
  }

  private waitForDrain(deadline: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      this.drainWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async runStopSteps(deadline: number): Promise<{ timedOut: string[]; failed: string[] }> {
    const timedOut: string[] = [];
    const failed: string[] = [];
    const log = getLogger(this.serviceName);
    while (this.stopStack.length > 0) {
      const step = this.stopStack.pop();
      if (step === undefined) break;
      try {
        const finished = await withDeadline(Promise.resolve().then(step.stop), deadline);
        if (!finished) {
          timedOut.push(step.name);
          log.warn({ step: step.name }, 'stop step abandoned at the shutdown deadline');
        }
      } catch (error) {
        failed.push(step.name);
        log.error({ err: error, step: step.name }, 'stop step failed');
      }
    }
    return { timedOut, failed };
  }

  private removeSignalHandlers(): void {
    for (const { signal, handler } of this.signalHandlers.splice(0)) process.off(signal, handler);
  }

  private setState(state: LifecycleState): void {
    this.currentState = state;
    this.emit('state', state);
  }
}

/** Resolves true when `work` settles before the deadline, false when the deadline wins. */
async function withDeadline(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createServiceLifecycle(options: ServiceLifecycleOptions): ServiceLifecycle {
  return new ServiceLifecycle(options);
}
