import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Session, SESSION_STORAGE_KEY, type AuthPayloadLike, type RefreshResult } from '../../src/auth/session.js';

const user = { id: 'u1', tenantId: 'demo', email: 'a@x', displayName: 'A', roles: ['user'] };
const payload = (n: number, expiresIn = 900): AuthPayloadLike => ({ accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn, user });

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
    key: () => null,
    get length() {
      return map.size;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => vi.useRealTimers());

describe('the session refreshes its token before it expires', () => {
  it('refreshes once three quarters of a 15-minute token have passed, and keeps the new tokens', async () => {
    let n = 1;
    const refresh = vi.fn(async (): Promise<RefreshResult> => ({ kind: 'ok', payload: payload(++n) }));
    const session = new Session({ storage: memoryStorage(), refresh });
    session.signIn(payload(1));

    await vi.advanceTimersByTimeAsync(674_000);
    expect(refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(refresh).toHaveBeenCalledWith('refresh-1');
    expect(session.current?.accessToken).toBe('access-2');

    await vi.advanceTimersByTimeAsync(675_000);
    expect(refresh).toHaveBeenLastCalledWith('refresh-2');
    session.dispose();
  });

  it('concurrent requests near expiry share one refresh (a rotated token is never spent twice)', async () => {
    let resolve!: (r: RefreshResult) => void;
    const refresh = vi.fn(() => new Promise<RefreshResult>((r) => (resolve = r)));
    const session = new Session({ storage: memoryStorage(), refresh });
    session.signIn(payload(1, 60));
    vi.setSystemTime(1_000_000 + 55_000);
    const tokens = [session.accessToken(), session.accessToken()];
    resolve({ kind: 'ok', payload: payload(2) });
    expect(await Promise.all(tokens)).toEqual(['access-2', 'access-2']);
    expect(refresh).toHaveBeenCalledTimes(1);
    session.dispose();
  });

  it('a refresh refused as reused or revoked signs the user out everywhere', async () => {
    const storage = memoryStorage();
    const session = new Session({ storage, refresh: async () => ({ kind: 'ended', code: 'MSAuthRefreshTokenReused' }) });
    const events: string[] = [];
    session.subscribe((_t, why) => events.push(why));
    session.signIn(payload(1));
    expect(await session.refreshNow()).toBeNull();
    expect(session.current).toBeNull();
    expect(storage.getItem(SESSION_STORAGE_KEY)).toBeNull();
    expect(events).toEqual(['signed-in', 'ended']);
  });

  it('a refresh that fails on the network keeps the session and retries', async () => {
    const refresh = vi
      .fn<() => Promise<RefreshResult>>()
      .mockResolvedValueOnce({ kind: 'unavailable' })
      .mockResolvedValue({ kind: 'ok', payload: payload(2) });
    const session = new Session({ storage: memoryStorage(), refresh, retryMs: 5_000 });
    session.signIn(payload(1));
    expect((await session.refreshNow())?.accessToken).toBe('access-1');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(session.current?.accessToken).toBe('access-2');
    session.dispose();
  });

  it('a tab that finds the token already rotated by another tab adopts it instead of spending the old one', async () => {
    const storage = memoryStorage();
    const refresh = vi.fn(async (): Promise<RefreshResult> => ({ kind: 'ok', payload: payload(9) }));
    const session = new Session({ storage, refresh });
    session.signIn(payload(1));
    const other = new Session({ storage, refresh: async () => ({ kind: 'ok', payload: payload(2) }) });
    vi.setSystemTime(1_000_000 + 10_000);
    await other.refreshNow();
    expect((await session.refreshNow())?.accessToken).toBe('access-2');
    expect(refresh).not.toHaveBeenCalled();
    session.dispose();
    other.dispose();
  });
});
