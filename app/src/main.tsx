import { ApolloProvider } from '@apollo/client/react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { io } from 'socket.io-client';
import { App } from './app.js';
import { requestRefresh } from './auth/refresh-request.js';
import { Session, SESSION_STORAGE_KEY } from './auth/session.js';
import { SessionProvider } from './auth/session-context.js';
import { createClient } from './apollo/create-client.js';
import { LiveConnection } from './live/live-connection.js';
import { LiveStatusContext, LiveStatusStore } from './live/live-status.js';
import './styles.css';

const session = new Session({
  storage: window.localStorage,
  refresh: requestRefresh,
  locks: typeof navigator.locks?.request === 'function' ? { request: (name, callback) => navigator.locks.request(name, callback) } : undefined,
});
const liveStatus = new LiveStatusStore();
const live = new LiveConnection({
  connect: (options) => io(options),
  token: () => session.accessToken(),
  onSessionEnded: () => session.signOut('ended'),
  onStatus: liveStatus.set,
});
const client = createClient(session, live);

session.subscribe((tokens, why) => {
  if (why === 'refreshed' && tokens) void live.authenticate(tokens.accessToken);
  if (why === 'signed-out' || why === 'ended' || why === 'signed-in') {
    // A different person (or nobody) now: nothing of the previous session may stay on screen.
    live.close();
    liveStatus.set('offline');
    void client.clearStore();
  }
});
window.addEventListener('storage', (event) => {
  if (event.key === SESSION_STORAGE_KEY) session.adoptStored();
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApolloProvider client={client}>
      <SessionProvider session={session}>
        <LiveStatusContext.Provider value={liveStatus}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </LiveStatusContext.Provider>
      </SessionProvider>
    </ApolloProvider>
  </StrictMode>,
);
