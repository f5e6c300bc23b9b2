import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { graphql } from '../gql/index.js';
import { serverMessage } from '../ui/errors.js';
import { formatDate } from '../ui/format.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';

export const WEBHOOKS = graphql(`
  query AdminWebhooks {
    webhooks {
      id
      url
      events
      secret
      description
      enabled
      createdAt
    }
  }
`);

export const REGISTER_WEBHOOK = graphql(`
  mutation AdminRegisterWebhook($input: RegisterWebhookInput!) {
    registerWebhook(input: $input) {
      id
      url
      events
      secret
    }
  }
`);

export const DELETE_WEBHOOK = graphql(`
  mutation AdminDeleteWebhook($id: ID!) {
    deleteWebhook(id: $id)
  }
`);

export function WebhooksPage() {
  const { data, loading, error, refetch } = useQuery(WEBHOOKS);
  const [register, registered] = useMutation(REGISTER_WEBHOOK, { refetchQueries: [WEBHOOKS] });
  const [remove, removed] = useMutation(DELETE_WEBHOOK, { refetchQueries: [WEBHOOKS] });
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState('transfer.*');
  const [description, setDescription] = useState('');
  const ids = { url: useId(), events: useId(), description: useId() };
  async function submit(event: FormEvent) {
    event.preventDefault();
    const list = events.split(/[\s,]+/).filter(Boolean);
    const result = await register({ variables: { input: { url: url.trim(), events: list, description: description.trim() || null } } }).catch(() => undefined);
    if (result?.data) setUrl('');
  }
  if (loading && !data) return <Loading label="Loading webhooks…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const created = registered.data?.registerWebhook;
  return (
    <section aria-labelledby="wh-title">
      <h1 id="wh-title">Webhooks</h1>
      <form className="card form" onSubmit={(event) => void submit(event)} aria-label="Register a webhook">
        <h2>Register an endpoint</h2>
        <div className="field">
          <label htmlFor={ids.url}>URL</label>
          <input id={ids.url} type="url" value={url} onChange={(event) => setUrl(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={ids.events}>Events (comma separated)</label>
          <input id={ids.events} value={events} onChange={(event) => setEvents(event.target.value)} />
          <p className="hint">transfer.completed, transfer.failed, deposit.completed, withdrawal.completed, or a pattern such as transfer.*</p>
        </div>
        <div className="field">
          <label htmlFor={ids.description}>Description (optional)</label>
          <input id={ids.description} value={description} onChange={(event) => setDescription(event.target.value)} />
        </div>
        {registered.error ? <Notice kind="error">{serverMessage(registered.error)}</Notice> : null}
        {created ? (
          <Notice kind="success">
            Registered. Signing secret (shown once, store it now): <code>{created.secret}</code>
          </Notice>
        ) : null}
        <button type="submit" className="button" disabled={registered.loading || !url.trim()}>
          Register
        </button>
      </form>
      {removed.error ? <Notice kind="error">{serverMessage(removed.error)}</Notice> : null}
      {data?.webhooks.length === 0 ? <Empty>No webhook endpoints.</Empty> : null}
      <ul className="rows" aria-label="Webhook endpoints">
        {data?.webhooks.map((hook) => (
          <li key={hook.id} className="row">
            <div>
              <strong>{hook.url}</strong> {hook.enabled ? null : <span className="tag">disabled</span>}
              <div className="small">{hook.events.join(', ')}</div>
              <div className="muted small">
                {hook.description ? `${hook.description} · ` : ''}since {formatDate(hook.createdAt)} · secret <code>{hook.secret}</code>
              </div>
            </div>
            <button type="button" className="button secondary small" onClick={() => void remove({ variables: { id: hook.id } }).catch(() => undefined)}>
              Delete<span className="visually-hidden"> {hook.url}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
