import { ApolloClient, ApolloLink } from '@apollo/client';
import { ApolloProvider } from '@apollo/client/react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { Observable, type Subscriber } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HealthPage } from '../../src/admin/health-page.js';
import { createCache } from '../../src/apollo/create-client.js';

type Result = ApolloLink.Result;

const CHECKED_AT = '2026-12-05T10:00:20.000Z';

function instance(id: string, overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'ServiceInstanceHealth',
    id,
    ready: true,
    stale: false,
    state: 'running',
    startedAt: '2026-12-05T09:00:00.000Z',
    reportedAt: '2026-12-05T10:00:18.000Z',
    checks: [
      { __typename: 'HealthCheck', name: 'mongo', ok: true, critical: true, latencyMs: 2.4, error: null },
      { __typename: 'HealthCheck', name: 'redis', ok: true, critical: false, latencyMs: 1, error: null },
    ],
    breakers: [],
    ...overrides,
  };
}

function service(name: string, overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'ServiceHealth',
    name,
    status: 'OK',
    readyInstances: 1,
    instances: [instance(`${name}-host:1${name.length}`)],
    outbox: name === 'gateway' ? null : { __typename: 'OutboxHealth', pending: 0, oldestPendingAgeSeconds: 0 },
    events: name === 'gateway' ? null : { __typename: 'EventConsumerHealth', lag: 0, pending: 0, deadLetters: 0 },
    queues: [],
    ...overrides,
  };
}

function health(overrides: Record<string, unknown> = {}) {
  return {
    data: {
      systemHealth: {
        __typename: 'SystemHealth',
        status: 'OK',
        problems: [],
        checkedAt: CHECKED_AT,
        services: ['gateway', 'auth-service', 'payment-service', 'bonus-service', 'notification-service'].map((name) => service(name)),
        ...overrides,
      },
    },
  };
}

/** A fake gateway answering AdminSystemHealth with the next queued answer, or holding the request until the test answers. */
function fakeGateway(answers: Array<Result | Error>) {
  const held: Array<(result: Result | Error) => void> = [];
  let requests = 0;
  const link = new ApolloLink(
    (operation) =>
      new Observable<Result>((observer: Subscriber<Result>) => {
        const reply = (result: Result | Error) => {
          if (result instanceof Error) observer.error(result);
          else {
            observer.next(result);
            observer.complete();
          }
        };
        if (operation.operationName !== 'AdminSystemHealth') return reply({ errors: [{ message: `unexpected ${operation.operationName}` }] } as Result);
        requests += 1;
        const next = answers.shift();
        if (next) reply(next);
        else held.push(reply);
        return undefined;
      }),
  );
  // The app's own cache and type policies.
  const client = new ApolloClient({ link, cache: createCache() });
  return { client, held, requests: () => requests };
}

function renderPage(client: ApolloClient) {
  render(
    <ApolloProvider client={client}>
      <MemoryRouter>
        <HealthPage />
      </MemoryRouter>
    </ApolloProvider>,
  );
}

const card = (name: string) => screen.getByTestId(`service-${name}`);

afterEach(() => {
  vi.useRealTimers();
});

describe('the system health page', () => {
  it('all OK: the status in words, every service with its instances, checks, outbox and consumer', async () => {
    renderPage(fakeGateway([health()]).client);
    const banner = await screen.findByTestId('health-overall');
    expect(banner.textContent).toContain('Platform: ✓ OK');
    expect(banner.textContent).toContain('Every service has a ready instance and nothing needs attention.');
    expect(within(banner).queryByRole('list', { name: 'Problems' })).toBeNull();
    const services = within(screen.getByRole('list', { name: 'Services' })).getAllByRole('heading', { level: 2 });
    expect(services.map((h) => h.textContent)).toEqual(['gateway', 'auth-service', 'payment-service', 'bonus-service', 'notification-service']);
    const auth = card('auth-service');
    expect(within(auth).getByText('OK', { selector: '.health-tag' }).className).toContain('health-ok');
    expect(auth.textContent).toContain('1 of 1 reporting instance ready');
    expect(within(auth).getByText('ready')).toBeTruthy();
    expect(within(auth).getByText('running')).toBeTruthy();
    expect(within(auth).getByText('2 seconds ago')).toBeTruthy();
    const checks = within(auth).getByRole('table', { name: /^Checks of / });
    expect(within(checks).getByText('mongo').textContent).toBe('mongo (critical)');
    expect(within(checks).getAllByText('OK')).toHaveLength(2);
    expect(within(checks).getByText('2.4 ms')).toBeTruthy();
    expect(within(auth).getByText('Lag (oldest pending)').nextElementSibling?.textContent).toBe('0 sec');
    expect(within(auth).getByText('Dead letters').nextElementSibling?.textContent).toBe('0');
    expect(within(auth).getByText('No queues.')).toBeTruthy();
    expect(within(card('gateway')).getByText('No outbox.')).toBeTruthy();
    expect(within(card('gateway')).getByText('No event consumer.')).toBeTruthy();
    expect(screen.getByText(/^Updated/).textContent).toMatch(/^Updated \d{1,2}:\d{2}:\d{2}/);
  });

  it('DEGRADED: the problems, an open breaker, a failing non-critical check, dead letters and failed jobs', async () => {
    const payment = service('payment-service', {
      status: 'DEGRADED',
      instances: [
        instance('pay-1:42', {
          checks: [{ __typename: 'HealthCheck', name: 'redis', ok: false, critical: false, latencyMs: null, error: 'connect ECONNREFUSED' }],
          breakers: [
            { __typename: 'CircuitBreakerHealth', name: 'provider:bank', state: 'OPEN' },
            { __typename: 'CircuitBreakerHealth', name: 'cache:wallets', state: 'HALF_OPEN' },
          ],
        }),
      ],
      outbox: { __typename: 'OutboxHealth', pending: 1234, oldestPendingAgeSeconds: 95 },
      events: { __typename: 'EventConsumerHealth', lag: 7, pending: 2, deadLetters: 3 },
      queues: [{ __typename: 'QueueHealth', name: 'payouts', waiting: 5, active: 1, delayed: 2, prioritized: 0, failed: 4 }],
    });
    const problems = ['payment: circuit breaker provider:bank is open', 'payment: 3 dead letters'];
    renderPage(fakeGateway([health({ status: 'DEGRADED', problems, services: [service('gateway'), payment] })]).client);
    const banner = await screen.findByTestId('health-overall');
    expect(banner.className).toContain('health-degraded');
    expect(banner.textContent).toContain('Platform: ! Degraded');
    expect(
      within(within(banner).getByRole('list', { name: 'Problems' }))
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(problems);
    const box = card('payment-service');
    expect(within(box).getByText('Degraded')).toBeTruthy();
    const breakers = within(box).getByRole('list', { name: 'Circuit breakers of pay-1:42' });
    expect(breakers.textContent).toContain('provider:bank open');
    expect(breakers.textContent).toContain('cache:wallets half open');
    expect(within(box).getByText('Failed: connect ECONNREFUSED')).toBeTruthy();
    expect(within(box).getByText('—')).toBeTruthy();
    expect(
      within(box)
        .getAllByText('Pending', { selector: 'dt' })
        .map((dt) => dt.nextElementSibling?.textContent),
    ).toEqual(['1,234', '2']);
    expect(within(box).getByText('Lag', { selector: 'dt' }).nextElementSibling?.textContent).toBe('7');
    expect(within(box).getByText('Lag (oldest pending)').nextElementSibling?.textContent).toBe('1.6 min');
    expect(within(box).getByText('Dead letters').nextElementSibling?.textContent).toBe('3');
    const queues = within(box).getByRole('table', { name: 'Queues of payment-service' });
    expect(within(queues).getAllByRole('row')[1]!.textContent).toBe('payouts5124');
  });

  it('DOWN: a service with no ready instance says so in words', async () => {
    const bonus = service('bonus-service', {
      status: 'DOWN',
      readyInstances: 0,
      instances: [instance('bonus-1:7', { ready: false, checks: [{ __typename: 'HealthCheck', name: 'mongo', ok: false, critical: true, latencyMs: 5000, error: 'timed out' }] })],
    });
    renderPage(fakeGateway([health({ status: 'DOWN', problems: ['bonus: no ready instance'], services: [bonus] })]).client);
    const banner = await screen.findByTestId('health-overall');
    expect(banner.textContent).toContain('Platform: ✕ Down');
    expect(banner.textContent).toContain('A service has no ready instance.');
    const box = card('bonus-service');
    expect(within(box).getByText('Down')).toBeTruthy();
    expect(box.textContent).toContain('0 of 1 reporting instance ready');
    expect(within(box).getByText('not ready')).toBeTruthy();
    expect(within(box).getByText('Failed: timed out')).toBeTruthy();
    expect(within(box).getByText('5,000 ms')).toBeTruthy();
  });

  it('a stale instance is marked stale with how long ago it last reported', async () => {
    const auth = service('auth-service', {
      status: 'DEGRADED',
      readyInstances: 1,
      instances: [instance('auth-a:1'), instance('auth-b:2', { stale: true, ready: true, reportedAt: '2026-12-05T09:58:50.000Z' })],
    });
    renderPage(fakeGateway([health({ status: 'DEGRADED', problems: ['auth: instance auth-b:2 stopped reporting'], services: [auth] })]).client);
    const stale = await screen.findByTestId('instance-auth-b:2');
    expect(within(stale).getByText('stale')).toBeTruthy();
    expect(within(stale).queryByText('ready')).toBeNull();
    expect(stale.textContent).toContain('Stopped reporting; last report 1 minute ago');
    expect(card('auth-service').textContent).toContain('1 of 1 reporting instance ready, 1 stale');
    expect(within(screen.getByTestId('instance-auth-a:1')).getByText('ready')).toBeTruthy();
  });

  it('consumer values that could not be read show as unknown, not as zero', async () => {
    const notification = service('notification-service', { events: { __typename: 'EventConsumerHealth', lag: null, pending: null, deadLetters: null } });
    renderPage(fakeGateway([health({ services: [notification] })]).client);
    const box = await screen.findByTestId('service-notification-service');
    for (const label of ['Lag', 'Dead letters']) expect(within(box).getByText(label, { selector: 'dt' }).nextElementSibling?.textContent).toBe('unknown');
    expect(within(box).getAllByText('unknown')).toHaveLength(3);
  });

  it('services started in one process (same host:pid) keep their own checks', async () => {
    const gatewayService = service('gateway', { instances: [instance('box:1', { checks: [{ __typename: 'HealthCheck', name: 'subgraphs', ok: true, critical: true, latencyMs: 3, error: null }] })] });
    const authService = service('auth-service', {
      instances: [instance('box:1', { checks: [{ __typename: 'HealthCheck', name: 'mongo', ok: false, critical: true, latencyMs: null, error: 'down' }], ready: false })],
    });
    renderPage(fakeGateway([health({ services: [gatewayService, authService] })]).client);
    await screen.findByTestId('health-overall');
    expect(within(card('gateway')).getByRole('table', { name: 'Checks of box:1' }).textContent).toContain('subgraphs');
    expect(within(card('gateway')).getByText('ready')).toBeTruthy();
    expect(within(card('auth-service')).getByRole('table', { name: 'Checks of box:1' }).textContent).toContain('Failed: down');
    expect(within(card('auth-service')).getByText('not ready')).toBeTruthy();
  });

  it('no services: an empty state, not an empty page', async () => {
    renderPage(fakeGateway([health({ services: [] })]).client);
    expect(await screen.findByText('No service has reported yet.')).toBeTruthy();
    expect(screen.getByTestId('health-overall')).toBeTruthy();
  });

  it('an error before any answer is explained with a way to try again', async () => {
    const gateway = fakeGateway([{ data: null, errors: [{ message: 'Forbidden', extensions: { code: 'FORBIDDEN' } }] } as Result, health()]);
    renderPage(gateway.client);
    expect(await screen.findByText('You do not have permission to do that.')).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('health-overall')).toBeTruthy();
  });

  it('Refresh keeps the last answer on screen until the next arrives, and a failed refresh keeps it too', async () => {
    const gateway = fakeGateway([health()]);
    renderPage(gateway.client);
    await screen.findByTestId('health-overall');
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(gateway.held).toHaveLength(1);
    // In flight: the page is still there, the button says it is busy, nothing was replaced by a spinner.
    expect(screen.getByTestId('service-payment-service')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Refresh' }).getAttribute('aria-disabled')).toBe('true');
    expect(screen.queryByRole('status')).toBeNull();
    const later = '2026-12-05T10:00:25.000Z';
    gateway.held.shift()!(health({ checkedAt: later, status: 'DEGRADED', problems: ['bonus: 1 dead letter'] }));
    expect(await screen.findByText('bonus: 1 dead letter')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Refresh' }).getAttribute('aria-disabled')).toBe('false');
    await user.click(screen.getByRole('button', { name: 'Refresh' }));
    gateway.held.shift()!(new TypeError('Failed to fetch'));
    expect(await screen.findByText(/refresh failed: Could not reach the server/)).toBeTruthy();
    expect(screen.getByText('bonus: 1 dead letter')).toBeTruthy();
    expect(screen.getByTestId('service-payment-service')).toBeTruthy();
  });

  it('polls every 5 seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const gateway = fakeGateway([health(), health({ status: 'DOWN', problems: ['auth: no ready instance'] })]);
    renderPage(gateway.client);
    await screen.findByTestId('health-overall');
    expect(gateway.requests()).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await screen.findByText('auth: no ready instance')).toBeTruthy();
    expect(gateway.requests()).toBe(2);
  });
});
