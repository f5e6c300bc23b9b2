import { NetworkStatus } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { describeError } from '../ui/errors.js';
import { formatDateTime } from '../ui/format.js';
import { LoadMore } from '../ui/load-more.js';
import { Empty, ErrorState, Loading, Notice } from '../ui/states.js';
import { MARK_ALL_READ, MARK_READ, NOTIFICATIONS, UNREAD_COUNT } from './operations.js';

export function InboxPage() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const { data, error, networkStatus, fetchMore, refetch } = useQuery(NOTIFICATIONS, { variables: { first: 20, unreadOnly }, notifyOnNetworkStatusChange: true });
  const [markRead, markReadState] = useMutation(MARK_READ, { refetchQueries: [UNREAD_COUNT] });
  const [markAll, markAllState] = useMutation(MARK_ALL_READ, { refetchQueries: [UNREAD_COUNT, NOTIFICATIONS] });
  const failure = markReadState.error ?? markAllState.error;
  const edges = data?.notifications.edges ?? [];
  return (
    <section aria-labelledby="inbox-title">
      <div className="page-head">
        <h1 id="inbox-title">Inbox</h1>
        <button type="button" className="button secondary" onClick={() => void markAll().catch(() => undefined)} disabled={edges.every(({ node }) => node.readAt)}>
          Mark all read
        </button>
      </div>
      <label className="check">
        <input type="checkbox" checked={unreadOnly} onChange={(event) => setUnreadOnly(event.target.checked)} /> Unread only
      </label>
      {failure ? <Notice kind="error">{describeError(failure)}</Notice> : null}
      {!data && networkStatus === NetworkStatus.loading ? <Loading label="Loading messages…" /> : null}
      {error && !data ? <ErrorState error={error} retry={() => void refetch()} /> : null}
      {data && edges.length === 0 ? <Empty>{unreadOnly ? 'No unread messages.' : 'No messages yet.'}</Empty> : null}
      <ul className="rows" aria-label="Messages">
        {edges.map(({ node }) => (
          <li key={node.id} className={node.readAt ? 'row message' : 'row message unread'}>
            <div>
              <strong>{node.title}</strong>
              {!node.readAt ? <span className="tag">new</span> : null}
              {node.critical ? <span className="tag">security</span> : null}
              <p className="message-body">{node.body}</p>
              <div className="muted small">{formatDateTime(node.createdAt)}</div>
            </div>
            {!node.readAt ? (
              <button
                type="button"
                className="button secondary small"
                onClick={() =>
                  void markRead({
                    variables: { ids: [node.id] },
                    update: (cache) => cache.modify({ id: cache.identify({ __typename: 'Notification', id: node.id }), fields: { readAt: () => new Date().toISOString() } }),
                  }).catch(() => undefined)
                }
              >
                Mark read<span className="visually-hidden">: {node.title}</span>
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <LoadMore
        hasMore={data?.notifications.pageInfo.hasNextPage ?? false}
        loading={networkStatus === NetworkStatus.fetchMore}
        onLoadMore={() => void fetchMore({ variables: { after: data?.notifications.pageInfo.endCursor } })}
      />
    </section>
  );
}
