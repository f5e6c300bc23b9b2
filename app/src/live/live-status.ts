import { createContext, useContext, useSyncExternalStore } from 'react';
import type { LiveStatus } from './live-connection.js';

/** The live connection's state for the header dot: a tiny store the connection writes to. */
export class LiveStatusStore {
  private status: LiveStatus = 'offline';
  private readonly listeners = new Set<() => void>();
  set = (status: LiveStatus) => {
    this.status = status;
    for (const listener of this.listeners) listener();
  };
  get = () => this.status;
  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export const LiveStatusContext = createContext<LiveStatusStore>(new LiveStatusStore());

export function useLiveStatus(): LiveStatus {
  const store = useContext(LiveStatusContext);
  return useSyncExternalStore(store.subscribe, store.get);
}
