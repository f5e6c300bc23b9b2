import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import type { NotificationChannel } from '../gql/graphql.js';
import { serverMessage } from '../ui/errors.js';
import { formatDateTime } from '../ui/format.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { NOTIFICATION_TEMPLATES, SEND_TEST_NOTIFICATION, UPSERT_NOTIFICATION_TEMPLATE } from './operations.js';

const CHANNELS: NotificationChannel[] = ['EMAIL', 'SMS', 'PUSH', 'IN_APP'];

export function NotificationTemplatesPage() {
  const { data, loading, error, refetch } = useQuery(NOTIFICATION_TEMPLATES);
  const [editing, setEditing] = useState<string | null>(null);
  if (loading && !data) return <Loading label="Loading templates…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const templates = data?.notificationTemplates ?? [];
  const variables = new Map((data?.notificationTypes ?? []).map((t) => [t.name, t.variables]));
  return (
    <section aria-labelledby="nt-title">
      <h1 id="nt-title">Notification templates</h1>
      <TestSend types={(data?.notificationTypes ?? []).map((t) => t.name)} />
      {templates.length === 0 ? <Empty>No templates.</Empty> : null}
      <ul className="config-list">
        {templates.map((t) => (
          <li key={t.id} className="card">
            <div className="config-head">
              <h2>
                {t.type}{' '}
                <span className="muted">
                  · {t.channel.toLowerCase()} · {t.locale}
                </span>
              </h2>
              <span className="tag">{t.builtIn ? 'built-in' : 'customised'}</span>
            </div>
            {editing === t.id ? (
              <TemplateEditor template={t} variables={variables.get(t.type) ?? []} onDone={() => setEditing(null)} />
            ) : (
              <>
                {t.subject ? (
                  <p>
                    <strong>{t.subject}</strong>
                  </p>
                ) : null}
                <pre tabIndex={0} className="template-body">
                  {t.body}
                </pre>
                <p className="muted small">Updated {formatDateTime(t.updatedAt)}</p>
                <button type="button" className="button secondary small" onClick={() => setEditing(t.id)}>
                  Edit
                  <span className="visually-hidden">
                    {' '}
                    {t.type} {t.channel} {t.locale}
                  </span>
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function TemplateEditor({
  template,
  variables,
  onDone,
}: {
  template: { type: string; channel: NotificationChannel; locale: string; subject?: string | null; body: string };
  variables: readonly string[];
  onDone: () => void;
}) {
  const [subject, setSubject] = useState(template.subject ?? '');
  const [body, setBody] = useState(template.body);
  const [save, saved] = useMutation(UPSERT_NOTIFICATION_TEMPLATE);
  const ids = { subject: useId(), body: useId() };
  async function submit(event: FormEvent) {
    event.preventDefault();
    const result = await save({ variables: { input: { type: template.type, channel: template.channel, locale: template.locale, subject: subject || null, body } } }).catch(() => undefined);
    if (result?.data) onDone();
  }
  return (
    <form className="form" onSubmit={(event) => void submit(event)}>
      {template.channel !== 'SMS' ? (
        <div className="field">
          <label htmlFor={ids.subject}>Subject / title</label>
          <input id={ids.subject} value={subject} onChange={(event) => setSubject(event.target.value)} />
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={ids.body}>Body</label>
        <textarea id={ids.body} rows={6} value={body} onChange={(event) => setBody(event.target.value)} />
        {variables.length > 0 ? <p className="hint">Variables: {variables.map((v) => `{{${v}}}`).join(', ')}</p> : null}
      </div>
      {saved.error ? <Notice kind="error">{serverMessage(saved.error)}</Notice> : null}
      <div className="actions">
        <button type="submit" className="button" disabled={saved.loading}>
          Save template
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function TestSend({ types }: { types: string[] }) {
  const [channel, setChannel] = useState<NotificationChannel>('EMAIL');
  const [to, setTo] = useState('');
  const [type, setType] = useState('');
  const [send, sent] = useMutation(SEND_TEST_NOTIFICATION);
  const ids = { channel: useId(), to: useId(), type: useId() };
  const delivery = sent.data?.sendTestNotification;
  return (
    <form
      className="card form"
      aria-label="Send a test notification"
      onSubmit={(event) => {
        event.preventDefault();
        void send({ variables: { channel, to: to.trim(), type: type || null } }).catch(() => undefined);
      }}
    >
      <h2>Send a test</h2>
      <div className="grid-3">
        <div className="field">
          <label htmlFor={ids.channel}>Channel</label>
          <select id={ids.channel} value={channel} onChange={(event) => setChannel(event.target.value as NotificationChannel)}>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.to}>To ({channel === 'EMAIL' ? 'email address' : channel === 'SMS' ? 'E.164 number' : 'user id'})</label>
          <input id={ids.to} value={to} onChange={(event) => setTo(event.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor={ids.type}>Template</label>
          <select id={ids.type} value={type} onChange={(event) => setType(event.target.value)}>
            <option value="">Default test message</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
      </div>
      {delivery ? (
        <Notice kind={delivery.status === 'FAILED' ? 'error' : 'success'}>
          Delivery {delivery.status.toLowerCase()} via {delivery.provider}
          {delivery.lastError ? `: ${delivery.lastError}` : ''}.
        </Notice>
      ) : null}
      {sent.error ? <Notice kind="error">{serverMessage(sent.error)}</Notice> : null}
      <button type="submit" className="button secondary" disabled={sent.loading || !to.trim()}>
        Send test
      </button>
    </form>
  );
}
