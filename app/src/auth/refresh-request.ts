import { print } from 'graphql';
import { REFRESH_TOKEN } from './operations.js';
import type { RefreshResult } from './session.js';

/** Codes that mean the session is over: signing in again is the only way on. */
const SESSION_OVER = new Set([
  'MSAuthRefreshTokenReused',
  'MSAuthInvalidRefreshToken',
  'MSAuthSessionRevoked',
  'MSAuthAccountSuspended',
  'MSAuthAccountLocked',
  'MSAuthUserNotFound',
  'UNAUTHENTICATED',
]);

/**
 * The refresh call, outside Apollo Client: it runs from inside Apollo's own auth link (a request
 * that finds its token due waits for it), so going through the client would loop.
 */
export async function requestRefresh(refreshToken: string): Promise<RefreshResult> {
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operationName: 'RefreshToken', query: print(REFRESH_TOKEN), variables: { refreshToken } }),
    });
    const body = (await response.json()) as { data?: { refreshToken?: RefreshPayload } | null; errors?: Array<{ extensions?: { code?: string } }> };
    const code = body.errors?.[0]?.extensions?.code;
    if (code !== undefined) return SESSION_OVER.has(code) ? { kind: 'ended', code } : { kind: 'unavailable' };
    const payload = body.data?.refreshToken;
    return payload ? { kind: 'ok', payload } : { kind: 'unavailable' };
  } catch {
    return { kind: 'unavailable' };
  }
}

type RefreshPayload = Extract<RefreshResult, { kind: 'ok' }>['payload'];
