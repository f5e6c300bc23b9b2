import { NetworkStatus } from '@apollo/client';
import { useQuery } from '@apollo/client/react';
import type { AdminSystemHealthQuery, CircuitBreakerState, HealthStatus } from '../gql/graphql.js';
import { describeError } from '../ui/errors.js';
import { formatCount, formatDateTime, formatMilliseconds, formatSeconds, formatTime, formatTimeAgo } from '../ui/format.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import { SYSTEM_HEALTH } from './operations.js';

type Service = AdminSystemHealthQuery['systemHealth']['services'][number];
type Instance = Service['instances'][number];

/** Every process reports itself every ~5 s; the page asks as often. */
export const HEALTH_POLL_MS = 5_000;

const STATUS_TEXT: Record<HealthStatus, string> = { OK: 'OK', DEGRADED: 'Degraded', DOWN: 'Down' };
const STATUS_MARK: Record<HealthStatus, string> = { OK: '✓', DEGRADED: '!', DOWN: '✕' };
const STATUS_SENTENCE: Record<HealthStatus, string> = {
  OK: 'Every service has a ready instance and nothing needs attention.',
  DEGRADED: 'Serving, with something an operator should look at.',
  DOWN: 'A service has no ready instance.',
};
const BREAKER_TEXT: Record<CircuitBreakerState, string> = { CLOSED: 'closed', HALF_OPEN: 'half open', OPEN: 'open' };

/**
 * The platform as its processes last reported it (systemHealth): the overall status and why, then
 * each service with its instances (checks, breakers), outbox, event consumer and queues. Polls
 * every 5 s; the last answer stays on screen while the next one loads, and when one fails.
 */
export function HealthPage() {
  const { data, previousData, error, networkStatus, refetch } = useQuery(SYSTEM_HEALTH, {
    pollInterval: HEALTH_POLL_MS,
    notifyOnNetworkStatusChange: true,
    fetchPolicy: 'cache-and-network',
    // A hidden tab does not poll; it catches up at the next tick after it is shown again.
    skipPollAttempt: () => typeof document !== 'undefined' && document.visibilityState === 'hidden',
  });
  const health = (data ?? previousData)?.systemHealth;
  const refreshing = networkStatus === NetworkStatus.refetch;
  const refresh = () => {
    if (!refreshing) void refetch().catch(() => undefined);
  };
  return (
    <section aria-labelledby="health-title" className="health">
      <div className="page-head">
        <h1 id="health-title">System health</h1>
        <div className="health-refresh">
          <p className="muted small health-updated">
            {health ? (
              <>
                Updated <time dateTime={health.checkedAt}>{formatTime(health.checkedAt)}</time>
                {error ? <span className="error-text"> · refresh failed: {describeError(error)}</span> : null}
              </>
            ) : null}
          </p>
          <button type="button" className="button secondary" onClick={refresh} aria-disabled={refreshing}>
            <span className={`spinner${refreshing ? '' : ' spinner-idle'}`} aria-hidden="true" />
            Refresh
          </button>
        </div>
      </div>
      {!health && networkStatus === NetworkStatus.loading ? <Loading label="Loading system health…" /> : null}
      {error && !health ? <ErrorState error={error} retry={refresh} /> : null}
      {health ? (
        <>
          <div className={`health-banner health-${health.status.toLowerCase()}`} data-testid="health-overall">
            <p className="health-banner-title">
              <strong>
                Platform: <StatusText status={health.status} />
              </strong>{' '}
              {STATUS_SENTENCE[health.status]}
            </p>
            {health.problems.length > 0 ? (
              <ul aria-label="Problems">
                {health.problems.map((problem, index) => (
                  <li key={index}>{problem}</li>
                ))}
              </ul>
            ) : null}
          </div>
          {health.services.length === 0 ? <Empty>No service has reported yet.</Empty> : null}
          <ul className="health-services" aria-label="Services">
            {health.services.map((service) => (
              <ServiceCard key={service.name} service={service} checkedAt={health.checkedAt} />
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** The status in words, with a mark beside it: the colour around it is never the only signal. */
function StatusText({ status }: { status: HealthStatus }) {
  return (
    <span className={`tag health-tag health-${status.toLowerCase()}`}>
      <span aria-hidden="true">{STATUS_MARK[status]} </span>
      {STATUS_TEXT[status]}
    </span>
  );
}

function ServiceCard({ service, checkedAt }: { service: Service; checkedAt: string }) {
  const headingId = `health-service-${service.name}`;
  const reporting = service.instances.filter((instance) => !instance.stale).length;
  return (
    <li className="card health-service" aria-labelledby={headingId} data-testid={`service-${service.name}`}>
      <div className="health-service-head">
        <h2 id={headingId}>{service.name}</h2>
        <StatusText status={service.status} />
        <span className="muted small">
          {formatCount(service.readyInstances)} of {formatCount(reporting)} reporting {reporting === 1 ? 'instance' : 'instances'} ready
          {service.instances.length > reporting ? `, ${formatCount(service.instances.length - reporting)} stale` : ''}
        </span>
      </div>
      <div className="health-body">
        <div>
          <h3>Instances</h3>
          {service.instances.length === 0 ? <Empty>No instance has reported.</Empty> : null}
          <ul className="health-instances" aria-label={`Instances of ${service.name}`}>
            {service.instances.map((instance) => (
              <InstanceItem key={instance.id} instance={instance} checkedAt={checkedAt} />
            ))}
          </ul>
        </div>
        <div>
          <h3>Outbox</h3>
          {service.outbox ? (
            <dl className="facts health-facts">
              <div>
                <dt>Pending</dt>
                <dd>{formatCount(service.outbox.pending)}</dd>
              </div>
              <div>
                <dt>Lag (oldest pending)</dt>
                <dd>{formatSeconds(service.outbox.oldestPendingAgeSeconds)}</dd>
              </div>
            </dl>
          ) : (
            <p className="muted small">No outbox.</p>
          )}
          <h3>Event consumer</h3>
          {service.events ? (
            <dl className="facts health-facts">
              <div>
                <dt>Lag</dt>
                <dd>{countOrUnknown(service.events.lag)}</dd>
              </div>
              <div>
                <dt>Pending</dt>
                <dd>{countOrUnknown(service.events.pending)}</dd>
              </div>
              <div>
                <dt>Dead letters</dt>
                <dd className={service.events.deadLetters ? 'error-text' : undefined}>{countOrUnknown(service.events.deadLetters)}</dd>
              </div>
            </dl>
          ) : (
            <p className="muted small">No event consumer.</p>
          )}
          <h3>Queues</h3>
          {service.queues.length === 0 ? (
            <p className="muted small">No queues.</p>
          ) : (
            // Focusable: with long queue names it scrolls sideways at 390 px, and keyboards must reach that.
            <div className="table-wrap" tabIndex={0} role="region" aria-label={`Queues of ${service.name}, table`}>
              <table className="numbers" aria-label={`Queues of ${service.name}`}>
                <thead>
                  <tr>
                    <th scope="col">Queue</th>
                    <th scope="col">Waiting</th>
                    <th scope="col">Active</th>
                    <th scope="col">Delayed</th>
                    <th scope="col">Failed</th>
                  </tr>
                </thead>
                <tbody>
                  {service.queues.map((queue) => (
                    <tr key={queue.name}>
                      <th scope="row">
                        <code>{queue.name}</code>
                      </th>
                      <td>{formatCount(queue.waiting)}</td>
                      <td>{formatCount(queue.active)}</td>
                      <td>{formatCount(queue.delayed)}</td>
                      <td className={queue.failed > 0 ? 'error-text' : undefined}>{formatCount(queue.failed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </div>
    </li>
  );
}

function InstanceItem({ instance, checkedAt }: { instance: Instance; checkedAt: string }) {
  return (
    <li className={`health-instance${instance.stale ? ' health-stale' : ''}`} data-testid={`instance-${instance.id}`}>
      <div className="health-instance-head">
        <code>{instance.id}</code>
        {instance.stale ? <span className="tag health-degraded">stale</span> : instance.ready ? <span className="tag health-ok">ready</span> : <span className="tag health-down">not ready</span>}
        <span className="tag">{instance.state}</span>
      </div>
      <p className="muted small">
        {instance.stale ? 'Stopped reporting; last report ' : 'Last report '}
        <time dateTime={instance.reportedAt} title={formatDateTime(instance.reportedAt)}>
          {formatTimeAgo(instance.reportedAt, checkedAt)}
        </time>{' '}
        · started {formatDateTime(instance.startedAt, 'short')}
      </p>
      {instance.checks.length > 0 ? (
        <div className="table-wrap">
          <table aria-label={`Checks of ${instance.id}`}>
            <thead>
              <tr>
                <th scope="col">Check</th>
                <th scope="col">Result</th>
                <th scope="col">Latency</th>
              </tr>
            </thead>
            <tbody>
              {instance.checks.map((check) => (
                <tr key={check.name}>
                  <th scope="row">
                    {check.name}
                    {check.critical ? <span className="muted small"> (critical)</span> : null}
                  </th>
                  <td className={check.ok ? 'ok' : 'error-text'}>
                    <span aria-hidden="true">{check.ok ? '✓ ' : '✕ '}</span>
                    {check.ok ? 'OK' : `Failed${check.error ? `: ${check.error}` : ''}`}
                  </td>
                  <td className="number">{check.latencyMs === null || check.latencyMs === undefined ? '—' : formatMilliseconds(check.latencyMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {instance.breakers.length > 0 ? (
        <ul className="health-breakers" aria-label={`Circuit breakers of ${instance.id}`}>
          {instance.breakers.map((breaker) => (
            <li key={breaker.name}>
              <span className="muted">breaker</span> <code>{breaker.name}</code>{' '}
              <span className={`tag ${breaker.state === 'CLOSED' ? 'health-ok' : breaker.state === 'OPEN' ? 'health-down' : 'health-degraded'}`}>{BREAKER_TEXT[breaker.state]}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function countOrUnknown(value: number | null | undefined) {
  return value === null || value === undefined ? <span className="muted">unknown</span> : formatCount(value);
}
