import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useId, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { UserStatus } from '../gql/graphql.js';
import { describeError } from '../ui/errors.js';
import { formatDate } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Money } from '../ui/money.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { ASSIGN_ROLE, REVOKE_ROLE, SET_USER_STATUS, USER_DETAIL, USERS } from './operations.js';

const STATUSES: UserStatus[] = ['ACTIVE', 'SUSPENDED', 'LOCKED'];

export function UsersPage() {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<UserStatus | ''>('');
  const ids = { search: useId(), status: useId() };
  const filter = { ...(search.trim() ? { emailPrefix: search.trim().toLowerCase() } : {}), ...(status ? { status } : {}) };
  const { data, error, networkStatus, fetchMore, refetch } = useQuery(USERS, { variables: { first: 25, filter }, notifyOnNetworkStatusChange: true });
  const edges = data?.users.edges ?? [];
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <div className="filters">
        <div className="field inline">
          <label htmlFor={ids.search}>Email starts with</label>
          <input id={ids.search} type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </div>
        <div className="field inline">
          <label htmlFor={ids.status}>Status</label>
          <select id={ids.status} value={status} onChange={(event) => setStatus(event.target.value as UserStatus | '')}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </div>
      </div>
      {!data && networkStatus === NetworkStatus.loading ? <Loading label="Loading users…" /> : null}
      {error && !data ? <ErrorState error={error} retry={() => void refetch()} /> : null}
      {data ? <p className="muted small">{data.users.totalCount} users</p> : null}
      {data && edges.length === 0 ? <Empty>No users match.</Empty> : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Joined</th>
            </tr>
          </thead>
          <tbody>
            {edges.map(({ node }) => (
              <tr key={node.id}>
                <td>
                  <Link to={`/admin/users/${node.id}`}>{node.email ?? node.id}</Link>
                  {node.displayName ? <div className="muted small">{node.displayName}</div> : null}
                </td>
                <td>{node.roles.join(', ')}</td>
                <td>
                  <span className={`tag user-${node.status.toLowerCase()}`}>{node.status.toLowerCase()}</span>
                </td>
                <td>{formatDate(node.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <LoadMore
        hasMore={data?.users.pageInfo.hasNextPage ?? false}
        loading={networkStatus === NetworkStatus.fetchMore}
        onLoadMore={() => void fetchMore({ variables: { after: data?.users.pageInfo.endCursor } })}
      />
    </section>
  );
}

export function UserDetailPage() {
  const { id = '' } = useParams();
  const { data, loading, error, refetch } = useQuery(USER_DETAIL, { variables: { id } });
  const [assign, assigned] = useMutation(ASSIGN_ROLE);
  const [revoke, revoked] = useMutation(REVOKE_ROLE);
  const [setStatus, statusChange] = useMutation(SET_USER_STATUS);
  const [role, setRole] = useState('');
  const ids = { role: useId(), status: useId() };
  if (loading && !data) return <Loading />;
  if (error && !data) return <ErrorState error={error} retry={() => void refetch()} />;
  const user = data?.user;
  if (!user) return <Empty>No such user.</Empty>;
  const failure = assigned.error ?? revoked.error ?? statusChange.error;
  const assignable = (data?.roles ?? []).map((r) => r.name).filter((name) => !user.roles.includes(name));
  return (
    <section aria-labelledby="user-title">
      <h1 id="user-title">{user.displayName ?? user.email}</h1>
      <dl className="facts">
        <div>
          <dt>Email</dt>
          <dd>
            {user.email} {user.emailVerified ? '(verified)' : '(not verified)'}
          </dd>
        </div>
        <div>
          <dt>Phone</dt>
          <dd>{user.phone ?? '—'}</dd>
        </div>
        <div>
          <dt>Joined</dt>
          <dd>{formatDate(user.createdAt)}</dd>
        </div>
        <div>
          <dt>User id</dt>
          <dd>
            <code>{user.id}</code>
          </dd>
        </div>
      </dl>
      {failure ? <Notice kind="error">{describeError(failure)}</Notice> : null}
      <h2>Status</h2>
      <div className="field inline">
        <label htmlFor={ids.status}>Account status</label>
        <select id={ids.status} value={user.status} onChange={(event) => void setStatus({ variables: { userId: user.id, status: event.target.value as UserStatus } }).catch(() => undefined)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.toLowerCase()}
            </option>
          ))}
        </select>
      </div>
      <h2>Roles</h2>
      <ul className="chips">
        {user.roles.map((name) => (
          <li key={name} className="chip">
            {name}
            <button type="button" className="chip-remove" aria-label={`Revoke role ${name}`} onClick={() => void revoke({ variables: { userId: user.id, role: name } }).catch(() => undefined)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (role)
            void assign({ variables: { userId: user.id, role } })
              .then(() => setRole(''))
              .catch(() => undefined);
        }}
      >
        <div className="field inline">
          <label htmlFor={ids.role}>Add role</label>
          <select id={ids.role} value={role} onChange={(event) => setRole(event.target.value)}>
            <option value="">Choose…</option>
            {assignable.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button secondary" disabled={!role}>
          Assign
        </button>
      </form>
      <h2>Wallets</h2>
      {user.wallets.length === 0 ? <Empty>No wallets.</Empty> : null}
      <ul className="rows">
        {user.wallets.map((wallet) => (
          <li key={wallet.id} className="row">
            <strong>{wallet.currency}</strong>
            <span>
              <Money amount={wallet.balance} currency={wallet.currency} />{' '}
              <span className="muted small">
                (bonus <Money amount={wallet.bonusBalance} currency={wallet.currency} />, locked <Money amount={wallet.lockedBalance} currency={wallet.currency} />)
              </span>
            </span>
          </li>
        ))}
      </ul>
      <Link className="button" to={`/admin/deposits?user=${encodeURIComponent(user.email ?? '')}`}>
        Deposit to this user
      </Link>
    </section>
  );
}
