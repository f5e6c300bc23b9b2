import { useQuery } from '@apollo/client/react';
import { UNREAD_COUNT } from './operations.js';

/** The unread count beside "Inbox": the live notification handler bumps it in the cache. */
export function UnreadBadge() {
  const { data } = useQuery(UNREAD_COUNT);
  const count = data?.unreadNotificationCount ?? 0;
  // Always rendered with a fixed width so a live update never shifts the navigation.
  return (
    <span className={count > 0 ? 'badge' : 'badge badge-empty'} data-testid="unread-badge" aria-label={count > 0 ? `${count} unread` : undefined}>
      {count > 0 ? (count > 99 ? '99+' : count) : ''}
    </span>
  );
}
