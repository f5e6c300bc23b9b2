import { useApolloClient } from '@apollo/client/react';
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { LOGOUT } from './operations.js';
import type { AuthPayloadLike, Session, SessionUser } from './session.js';

interface SessionApi {
  user: SessionUser | null;
  isAdmin: boolean;
  signIn(payload: AuthPayloadLike): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<{ session: Session } | null>(null);

/** Roles whose holders see the admin console; the API still decides every operation. */
const CONSOLE_ROLES = new Set(['admin', 'support', 'system']);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  const value = useMemo(() => ({ session }), [session]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const holder = useContext(SessionContext);
  if (!holder) throw new Error('useSession outside SessionProvider');
  const { session } = holder;
  const client = useApolloClient();
  const tokens = useSyncExternalStore(
    (onChange) => session.subscribe(onChange),
    () => session.current,
  );
  const signOut = useCallback(async () => {
    const refreshToken = session.current?.refreshToken;
    if (refreshToken) {
      // Best effort: the local sign-out happens even when the server cannot be told.
      await client.mutate({ mutation: LOGOUT, variables: { refreshToken } }).catch(() => undefined);
    }
    session.signOut();
  }, [client, session]);
  const user = tokens?.user ?? null;
  return {
    user,
    isAdmin: user?.roles.some((role) => CONSOLE_ROLES.has(role)) ?? false,
    signIn: (payload) => session.signIn(payload),
    signOut,
  };
}
