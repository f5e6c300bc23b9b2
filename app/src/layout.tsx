import { NavLink, Outlet } from 'react-router';
import { useSession } from './auth/session-context.js';
import { UnreadBadge } from './inbox/unread-badge.js';
import { useLiveStatus } from './live/live-status.js';

const USER_LINKS = [
  { to: '/', label: 'Wallets', end: true },
  { to: '/send', label: 'Send' },
  { to: '/history', label: 'History' },
  { to: '/withdraw', label: 'Withdraw' },
  { to: '/bonuses', label: 'Bonuses' },
] as const;

export function Layout() {
  const { user, isAdmin, signOut } = useSession();
  const live = useLiveStatus();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <div className="top-row">
          <NavLink to="/" className="brand">
            Payments
          </NavLink>
          <span className={`live live-${live}`} title={`Live updates: ${live}`}>
            <span className="dot" aria-hidden="true" />
            <span className="visually-hidden">Live updates {live}</span>
          </span>
          <div className="account">
            <span className="who" title={user?.email ?? ''}>
              {user?.displayName ?? user?.email}
            </span>
            <button type="button" className="button secondary small" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {USER_LINKS.map((link) => (
              <li key={link.to}>
                <NavLink to={link.to} end={'end' in link ? link.end : false}>
                  {link.label}
                </NavLink>
              </li>
            ))}
            <li>
              <NavLink to="/inbox">
                Inbox <UnreadBadge />
              </NavLink>
            </li>
            <li>
              <NavLink to="/settings">Settings</NavLink>
            </li>
            {isAdmin ? (
              <li>
                <NavLink to="/admin">Admin</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}

/** Pages for signed-out people: no navigation, just the form. */
export function PublicLayout() {
  return (
    <>
      <header className="top">
        <div className="top-row">
          <span className="brand">Payments</span>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
