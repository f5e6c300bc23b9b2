import { CombinedGraphQLErrors } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { serverMessage } from '../ui/errors.js';
import { formatDateTime } from '../ui/format.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { RESET_SERVICE_CONFIG, SERVICE_CONFIGS, SET_SERVICE_CONFIG } from './operations.js';

type Entry = NonNullable<ReturnType<typeof useQuery<import('../gql/graphql.js').AdminServiceConfigsQuery>>['data']>['serviceConfigs'][number];

/**
 * Every service's config keys (serviceConfigs), edited as JSON. Secrets come back masked
 * ('***'); sending the mask back keeps the stored secret, so editing a sibling field of a secret
 * never needs the secret itself.
 */
export function ConfigPage() {
  const { data, loading, error, refetch } = useQuery(SERVICE_CONFIGS);
  const [editing, setEditing] = useState<string | null>(null);
  const [service, setService] = useState('');
  const filterId = useId();
  if (loading && !data) return <Loading label="Loading configuration…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const entries = data?.serviceConfigs ?? [];
  const services = [...new Set(entries.map((e) => e.service))];
  const shown = entries.filter((e) => !service || e.service === service);
  return (
    <section aria-labelledby="config-title">
      <h1 id="config-title">Service configuration</h1>
      <p className="muted">Changes are validated against each key’s schema, take effect in every instance of the service, and are written to the audit log.</p>
      <div className="field inline">
        <label htmlFor={filterId}>Service</label>
        <select id={filterId} value={service} onChange={(event) => setService(event.target.value)}>
          <option value="">All services</option>
          {services.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? <Empty>No configuration keys.</Empty> : null}
      <ul className="config-list">
        {shown.map((entry) => {
          const id = `${entry.service}/${entry.key}`;
          return (
            <li key={id} className="card config-entry" data-testid={`config-${entry.service}-${entry.key}`}>
              <div className="config-head">
                <h2>
                  <span className="muted">{entry.service} · </span>
                  {entry.key}
                </h2>
                <span className={`tag source-${entry.source.toLowerCase()}`}>{entry.source.toLowerCase()}</span>
                {entry.sensitive ? <span className="tag">contains secrets</span> : null}
              </div>
              {entry.description ? <p className="small">{entry.description}</p> : null}
              {editing === id ? (
                <ConfigEditor entry={entry} onDone={() => setEditing(null)} />
              ) : (
                <>
                  <pre tabIndex={0} className="json" aria-label={`Value of ${entry.service} ${entry.key}`}>
                    {JSON.stringify(entry.value, null, 2)}
                  </pre>
                  <p className="muted small">
                    {entry.source === 'STORED'
                      ? `Changed ${formatDateTime(entry.updatedAt)} by ${entry.updatedBy ?? 'unknown'}`
                      : entry.source === 'ENV'
                        ? 'Set by the environment: change it there.'
                        : 'Default value.'}
                  </p>
                  <button type="button" className="button secondary small" onClick={() => setEditing(id)} disabled={entry.source === 'ENV'}>
                    Edit
                    <span className="visually-hidden">
                      {' '}
                      {entry.service} {entry.key}
                    </span>
                  </button>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function ConfigEditor({ entry, onDone }: { entry: Entry; onDone: () => void }) {
  const [text, setText] = useState(JSON.stringify(entry.value, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const [save, saved] = useMutation(SET_SERVICE_CONFIG);
  const [reset, resetState] = useMutation(RESET_SERVICE_CONFIG);
  const textId = useId();
  const failure = saved.error ?? resetState.error;
  const fields = CombinedGraphQLErrors.is(failure) ? ((failure.errors[0]?.extensions?.['fields'] as Array<{ path: string; message: string }> | undefined) ?? []) : [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      setParseError(`Not valid JSON: ${(error as Error).message}`);
      return;
    }
    setParseError(null);
    const result = await save({ variables: { service: entry.service, key: entry.key, value } }).catch(() => undefined);
    if (result?.data) onDone();
  }

  return (
    <form className="form" onSubmit={(event) => void submit(event)}>
      <div className="field">
        <label htmlFor={textId}>
          Value of {entry.service}.{entry.key} (JSON)
        </label>
        <textarea id={textId} className="code" rows={Math.min(16, text.split('\n').length + 1)} value={text} onChange={(event) => setText(event.target.value)} spellCheck={false} />
        {entry.sensitive ? <p className="hint">Leave “***” where a secret is shown to keep it unchanged.</p> : null}
        <details className="small">
          <summary>Default</summary>
          <pre tabIndex={0} className="json">
            {JSON.stringify(entry.defaultValue, null, 2)}
          </pre>
        </details>
      </div>
      {parseError ? <Notice kind="error">{parseError}</Notice> : null}
      {failure ? (
        <Notice kind="error">
          <p>{serverMessage(failure)}</p>
          {fields.length > 0 ? (
            <ul>
              {fields.map((field) => (
                <li key={field.path}>
                  <code>{field.path || '(value)'}</code> {field.message}
                </li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
      <div className="actions">
        <button type="submit" className="button" disabled={saved.loading}>
          Save
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          Cancel
        </button>
        {entry.source === 'STORED' ? (
          <button
            type="button"
            className="button secondary"
            onClick={() =>
              void reset({ variables: { service: entry.service, key: entry.key } })
                .then(onDone)
                .catch(() => undefined)
            }
          >
            Reset to default
          </button>
        ) : null}
      </div>
    </form>
  );
}
