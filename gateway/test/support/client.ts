import { randomInt, randomUUID } from 'node:crypto';
import { DEMO } from '../../../scripts/dev/platform.mjs';
import { sharedPlatform } from './shared-platform.js';

/**
 * A client of the platform as an outside user sees it: GraphQL over HTTP through the gateway and
 * nothing else. Each client has its own address (sent as X-Forwarded-For, which the shared
 * platform trusts from loopback), so per-address limits of one test never touch another's.
 */
export interface GraphQLAnswer {
  status: number;
  headers: Headers;
  data?: any;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

export const REGISTER = 'mutation Register($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id email } } }';
export const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id roles } } }';
export const DEPOSIT = 'mutation Deposit($input: DepositInput!) { deposit(input: $input) { id amount balance } }';
export const TRANSFER = 'mutation Send($input: CreateTransferInput!) { createTransfer(input: $input) { id status amount fromUserId toUserId } }';

/** A documentation-range address (RFC 5737 TEST-NET-3) unique enough for one run. */
export function newClientAddress(): string {
  return `203.0.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

export class Client {
  readonly platform = sharedPlatform();
  constructor(readonly address: string = newClientAddress()) {}

  async gql(query: string, variables: Record<string, unknown> = {}, token?: string, headers: Record<string, string> = {}): Promise<GraphQLAnswer> {
    const response = await fetch(this.platform.gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': this.address,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: GraphQLAnswer['errors'] };
    return { status: response.status, headers: response.headers, ...body };
  }

  /** The data of an answer that must have no errors. */
  async ok(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<any> {
    const answer = await this.gql(query, variables, token);
    if (answer.errors) throw new Error(`${query.split('\n')[0]} → ${JSON.stringify(answer.errors)}`);
    return answer.data;
  }

  async newUser(label: string, tenantId: string = DEMO.tenantId): Promise<TestUser> {
    const email = `${label}-${randomUUID().slice(0, 8)}@e2e.local`;
    const password = 'a-long-enough-password-2026!';
    await this.ok(REGISTER, { input: { email, password, displayName: label, tenantId } });
    const { login } = await this.ok(LOGIN, { input: { email, password, tenantId } });
    return { id: login.user.id, email, password, token: login.accessToken, refreshToken: login.refreshToken };
  }

  async login(email: string, password: string, tenantId: string = DEMO.tenantId): Promise<GraphQLAnswer> {
    return this.gql(LOGIN, { input: { email, password, tenantId } });
  }

  #admin: Promise<string> | undefined;
  /**
   * An admin of this client's own: a new user the demo admin gives the `admin` role. Rate limits
   * are per user, so test files running side by side each spend their own budget; with one shared
   * admin, a fast machine ran the whole suite's deposits through one user's minute.
   */
  admin(): Promise<string> {
    this.#admin ??= this.#newAdmin();
    return this.#admin;
  }

  async #newAdmin(): Promise<string> {
    const demo = (await this.ok(LOGIN, { input: { email: DEMO.admin, password: DEMO.password, tenantId: DEMO.tenantId } })).login.accessToken;
    const user = await this.newUser('admin');
    await this.ok('mutation Grant($userId: ID!) { assignRole(userId: $userId, role: "admin") { id } }', { userId: user.id }, demo);
    const { login } = await this.ok(LOGIN, { input: { email: user.email, password: user.password, tenantId: DEMO.tenantId } });
    if (!login.user.roles.includes('admin')) throw new Error(`${user.email} did not become an admin: ${JSON.stringify(login.user.roles)}`);
    return login.accessToken;
  }

  /** A deposit from the external funding account, made by this client's admin. */
  async deposit(userId: string, amount: number, currency = 'EUR'): Promise<any> {
    return this.ok(DEPOSIT, { input: { userId, amount, currency, idempotencyKey: `e2e-${randomUUID()}` } }, await this.admin());
  }
}

export { DEMO };
