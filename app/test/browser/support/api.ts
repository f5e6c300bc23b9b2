import { browserEnv } from './env.js';

/** Direct GraphQL calls for fixtures and for checking outcomes the UI shows (never for the steps under test). */
export async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(browserEnv().gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(`${query.trim().split('\n')[0]}: ${JSON.stringify(body.errors)}`);
  return body.data as T;
}

export const PASSWORD = 'a-long-enough-password-2026!';
export const TENANT = 'demo';
export const ADMIN = { email: 'admin@demo.local', password: 'demo-password-2026' };

export async function login(email: string, password = PASSWORD): Promise<{ token: string; id: string }> {
  const data = await gql<{ login: { accessToken: string; user: { id: string } } }>('mutation L($input: LoginInput!) { login(input: $input) { accessToken user { id } } }', {
    input: { email, password, tenantId: TENANT },
  });
  return { token: data.login.accessToken, id: data.login.user.id };
}

export async function registerUser(label: string): Promise<{ email: string; id: string; token: string }> {
  const email = uniqueEmail(label);
  const data = await gql<{ register: { accessToken: string; user: { id: string } } }>('mutation R($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }', {
    input: { email, password: PASSWORD, displayName: label, tenantId: TENANT },
  });
  return { email, id: data.register.user.id, token: data.register.accessToken };
}

export function uniqueEmail(label: string): string {
  return `${label.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@browser.local`;
}

/** Polls a condition through the API until it holds: payment-service learns of new users from events. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 20_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * Waits until payment-service knows a user (its users projection is built from auth-service's
 * events), asked as `token`'s user. lookupRecipient is rate limited per caller (30 a minute), so
 * each fixture asks with its own fresh user, twice a second.
 */
export async function knownToPayments(email: string, token: string): Promise<void> {
  await eventually(async () => (await gql('query($email: String!) { lookupRecipient(email: $email) { id } }', { email }, token)).lookupRecipient, `payment-service to know ${email}`, 20_000, 500);
}

/** An admin deposit, retried under the same idempotency key while payment-service does not know the user yet. */
export async function fund(userId: string, amount: number, currency = 'EUR'): Promise<void> {
  const { token } = await login(ADMIN.email, ADMIN.password);
  const idempotencyKey = `browser-${crypto.randomUUID()}`;
  await eventually(
    async () => {
      await gql('mutation($input: DepositInput!) { deposit(input: $input) { id } }', { input: { userId, amount, currency, idempotencyKey } }, token);
      return true;
    },
    `a deposit to ${userId}`,
    20_000,
    500,
  );
}
