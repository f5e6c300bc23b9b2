import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { RegisterPage } from './auth/register-page.js';
import { useSession } from './auth/session-context.js';
import { SignInPage } from './auth/sign-in-page.js';
import { BonusesPage } from './bonuses/bonuses-page.js';
import { HistoryPage } from './history/history-page.js';
import { InboxPage } from './inbox/inbox-page.js';
import { SettingsPage } from './inbox/settings-page.js';
import { Layout, PublicLayout } from './layout.js';
import { LiveUpdates } from './live/live-updates.js';
import { SendMoneyPage } from './payments/send-money-page.js';
import { WithdrawPage } from './payments/withdraw-page.js';
import { Loading } from './ui/states.js';
import { WalletsPage } from './wallets/wallets-page.js';

// The console is a separate chunk: most sessions are users, who never download it.
const AdminConsole = lazy(() => import('./admin/admin-console.js'));

export function App() {
  return (
    <>
      <RouteAnnouncer />
      <Routes>
        <Route element={<PublicLayout />}>
          <Route
            path="/signin"
            element={
              <SignedOutOnly>
                <SignInPage />
              </SignedOutOnly>
            }
          />
          <Route
            path="/register"
            element={
              <SignedOutOnly>
                <RegisterPage />
              </SignedOutOnly>
            }
          />
        </Route>
        <Route
          element={
            <SignedInOnly>
              <LiveUpdates />
              <Layout />
            </SignedInOnly>
          }
        >
          <Route index element={<WalletsPage />} />
          <Route path="send" element={<SendMoneyPage />} />
          <Route path="history" element={<HistoryPage />} />
          <Route path="withdraw" element={<WithdrawPage />} />
          <Route path="bonuses" element={<BonusesPage />} />
          <Route path="inbox" element={<InboxPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route
            path="admin/*"
            element={
              <Suspense fallback={<Loading label="Loading the console…" />}>
                <AdminConsole />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </>
  );
}

function SignedInOnly({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (!user) return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

/**
 * Sends a signed-in visitor of /signin or /register home, judged once on arrival: a person who
 * signs in on the page is sent on by the page itself (to where they were going, or to settings
 * after registering), and this must not race it.
 */
function SignedOutOnly({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const [arrivedSignedIn] = useState(() => user !== null);
  if (arrivedSignedIn) return <Navigate to="/" replace />;
  return <>{children}</>;
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
    </section>
  );
}

/**
 * Moves focus to the page's main region after client-side navigation, so keyboard and
 * screen-reader users start at the new content (a full page load would do this by itself).
 */
function RouteAnnouncer() {
  const location = useLocation();
  useEffect(() => {
    const main = document.getElementById('main');
    if (main && document.activeElement && document.activeElement !== document.body && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
    const heading = document.querySelector('main h1');
    document.title = heading?.textContent ? `${heading.textContent} · Payments` : 'Payments';
  }, [location.pathname]);
  return null;
}
