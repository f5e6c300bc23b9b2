import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState, type FormEvent } from 'react';
import { serverMessage } from '../ui/errors.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { ROLES, UPSERT_ROLE } from './operations.js';
import { urnLines, urnProblem } from './urn.js';

interface Draft {
  name: string;
  permissions: string;
  denies: string;
  inherits: string[];
  isNew: boolean;
}

export function RolesPage() {
  const { data, loading, error, refetch } = useQuery(ROLES);
  const [draft, setDraft] = useState<Draft | null>(null);
  if (loading && !data) return <Loading label="Loading roles…" />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const roles = data?.roles ?? [];
  return (
    <section aria-labelledby="roles-title">
      <div className="page-head">
        <h1 id="roles-title">Roles</h1>
        <button type="button" className="button secondary" onClick={() => setDraft({ name: '', permissions: '', denies: '', inherits: [], isNew: true })}>
          New role
        </button>
      </div>
      {draft ? <RoleEditor key={draft.name || 'new'} draft={draft} roleNames={roles.map((r) => r.name)} onDone={() => setDraft(null)} /> : null}
      {roles.length === 0 ? <Empty>No roles.</Empty> : null}
      <ul className="cards">
        {roles.map((role) => (
          <li key={role.name} className="card">
            <h2>
              {role.name} {role.tenantSpecific ? <span className="tag">customised</span> : <span className="tag">default</span>}
            </h2>
            {role.inherits.length > 0 ? <p className="small">Inherits: {role.inherits.join(', ')}</p> : null}
            <p className="small">Allows:</p>
            <ul className="urns">
              {role.permissions.map((p) => (
                <li key={p}>
                  <code>{p}</code>
                </li>
              ))}
            </ul>
            {role.denies.length > 0 ? (
              <>
                <p className="small">Denies:</p>
                <ul className="urns">
                  {role.denies.map((p) => (
                    <li key={p}>
                      <code>{p}</code>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            <button
              type="button"
              className="button secondary small"
              onClick={() => setDraft({ name: role.name, permissions: role.permissions.join('\n'), denies: role.denies.join('\n'), inherits: [...role.inherits], isNew: false })}
            >
              Edit<span className="visually-hidden"> role {role.name}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RoleEditor({ draft, roleNames, onDone }: { draft: Draft; roleNames: string[]; onDone: () => void }) {
  const [form, setForm] = useState(draft);
  const [save, saved] = useMutation(UPSERT_ROLE, { refetchQueries: [ROLES] });
  const [problems, setProblems] = useState<string[]>([]);
  const ids = { name: useId(), permissions: useId(), denies: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const permissions = urnLines(form.permissions);
    const denies = urnLines(form.denies);
    const found = [...permissions, ...denies].map(urnProblem).filter((p): p is string => p !== undefined);
    if (!form.name.trim()) found.unshift('The role needs a name.');
    setProblems(found);
    if (found.length > 0) return;
    const result = await save({ variables: { input: { name: form.name.trim(), permissions, denies, inherits: form.inherits } } }).catch(() => undefined);
    if (result?.data) onDone();
  }

  return (
    <form className="card form editor" onSubmit={(event) => void submit(event)} aria-label={form.isNew ? 'New role' : `Edit role ${form.name}`}>
      <h2>{form.isNew ? 'New role' : `Edit ${form.name}`}</h2>
      <div className="field">
        <label htmlFor={ids.name}>Name</label>
        <input id={ids.name} value={form.name} readOnly={!form.isNew} onChange={(event) => setForm({ ...form, name: event.target.value })} />
      </div>
      <div className="field">
        <label htmlFor={ids.permissions}>Permissions (one URN per line)</label>
        <textarea id={ids.permissions} rows={6} value={form.permissions} onChange={(event) => setForm({ ...form, permissions: event.target.value })} spellCheck={false} />
      </div>
      <div className="field">
        <label htmlFor={ids.denies}>Denies (one URN per line)</label>
        <textarea id={ids.denies} rows={3} value={form.denies} onChange={(event) => setForm({ ...form, denies: event.target.value })} spellCheck={false} />
      </div>
      <fieldset>
        <legend>Inherits</legend>
        {roleNames
          .filter((name) => name !== form.name)
          .map((name) => (
            <label key={name} className="check">
              <input
                type="checkbox"
                checked={form.inherits.includes(name)}
                onChange={() => setForm({ ...form, inherits: form.inherits.includes(name) ? form.inherits.filter((n) => n !== name) : [...form.inherits, name] })}
              />{' '}
              {name}
            </label>
          ))}
      </fieldset>
      {problems.length > 0 ? (
        <Notice kind="error">
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      {saved.error ? <Notice kind="error">{serverMessage(saved.error)}</Notice> : null}
      <div className="actions">
        <button type="submit" className="button" disabled={saved.loading}>
          Save role
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
