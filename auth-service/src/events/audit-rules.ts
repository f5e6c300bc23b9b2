import type { AuditActor, AuditRule, IntegrationEvent } from 'core-service';
import { AUTH_EVENTS } from './auth-events.js';

type Data = Record<string, unknown>;
const data = (event: IntegrationEvent): Data => (event.data ?? {}) as Data;
const userResource = (event: IntegrationEvent) => ({ type: 'user', id: event.userId ?? 'unknown' });
/** The account itself acted (its own login, password change): the caller context has no user yet. */
const selfActor = (event: IntegrationEvent, sessionId?: unknown): AuditActor => ({
  type: 'user',
  id: event.userId ?? null,
  ...(typeof sessionId === 'string' ? { sessionId } : {}),
});
const byActor = (by: unknown): AuditActor | undefined => (typeof by === 'string' ? { type: 'user', id: by } : undefined);

/**
 * auth-service's security and admin events as audit entries (core-service/audit): written with
 * each event, in its transaction when it has one. OTP codes, passwords and hashes never reach
 * an event, so never an entry either; failed logins keep the address tried, not the password.
 */
export const AUTH_AUDIT_RULES: Readonly<Record<string, AuditRule>> = {
  [AUTH_EVENTS.UserRegistered]: (event) => ({
    category: 'security',
    action: 'user.registered',
    resource: userResource(event),
    actor: selfActor(event),
    after: { email: data(event)['email'], status: data(event)['status'], referredBy: data(event)['referredBy'] ?? null },
  }),
  [AUTH_EVENTS.UserLoggedIn]: (event) => ({
    category: 'security',
    action: 'auth.login.succeeded',
    resource: userResource(event),
    actor: selfActor(event, data(event)['sessionId']),
    data: { clientAddress: data(event)['clientAddress'] ?? null, newDevice: data(event)['newDevice'] === true },
  }),
  [AUTH_EVENTS.UserLoginFailed]: (event) => ({
    category: 'security',
    action: 'auth.login.failed',
    outcome: 'failure',
    resource: event.userId !== null && event.userId !== undefined ? userResource(event) : { type: 'email', id: String(data(event)['email'] ?? '') },
    actor: { type: 'anonymous', id: null },
    data: { reason: data(event)['reason'], email: data(event)['email'], clientAddress: data(event)['clientAddress'] ?? null },
  }),
  [AUTH_EVENTS.AccountLocked]: (event) => ({
    category: 'security',
    action: 'auth.account.locked',
    resource: userResource(event),
    actor: { type: 'service', id: 'auth-service' },
    data: { scope: data(event)['scope'], retryAfterSeconds: data(event)['retryAfterSeconds'], clientAddress: data(event)['clientAddress'] ?? null },
  }),
  [AUTH_EVENTS.SessionRevoked]: (event) => ({
    category: 'security',
    action: 'auth.session.revoked',
    resource: { type: 'session', id: String(data(event)['sessionId'] ?? 'unknown') },
    data: { userId: event.userId ?? null, reason: data(event)['reason'] ?? null },
  }),
  [AUTH_EVENTS.PasswordChanged]: (event) => ({
    category: 'security',
    action: 'auth.password.changed',
    resource: userResource(event),
    actor: selfActor(event),
    data: { clientAddress: data(event)['clientAddress'] ?? null },
  }),
  [AUTH_EVENTS.OtpRequested]: (event) => ({
    category: 'security',
    action: 'auth.otp.requested',
    resource: userResource(event),
    data: { channel: data(event)['channel'], purpose: data(event)['purpose'] },
  }),
  [AUTH_EVENTS.UserRoleChanged]: (event) => {
    const actor = byActor(data(event)['by']);
    return {
      category: 'admin',
      action: data(event)['change'] === 'revoke' ? 'user.role.revoked' : 'user.role.assigned',
      resource: userResource(event),
      ...(actor !== undefined ? { actor } : {}),
      after: { roles: data(event)['roles'] },
      data: { role: data(event)['role'] },
    };
  },
  [AUTH_EVENTS.UserStatusChanged]: (event) => ({
    category: 'admin',
    action: 'user.status.changed',
    resource: userResource(event),
    before: { status: data(event)['from'] },
    after: { status: data(event)['to'] },
  }),
  [AUTH_EVENTS.RoleUpdated]: (event) => ({
    category: 'admin',
    action: 'role.updated',
    resource: { type: 'role', id: String(data(event)['role'] ?? 'unknown') },
    ...(data(event)['after'] !== undefined ? { after: data(event)['after'] } : {}),
    ...(data(event)['before'] !== undefined ? { before: data(event)['before'] } : {}),
  }),
  [AUTH_EVENTS.TenantCreated]: (event) => ({
    category: 'admin',
    action: 'tenant.created',
    resource: { type: 'tenant', id: event.tenantId },
    after: { name: data(event)['name'] },
  }),
};
