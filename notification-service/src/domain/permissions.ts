/**
 * The permission URNs notification-service asks for, checked against `{ ownerId, tenantId }`:
 * auth-service's default roles grant `user` `notification:read:own` and `notification:update:own`,
 * `support` `notification:read:tenant`, and `admin` everything in its tenant (`*:*:tenant`).
 */
export const NOTIFICATION_PERMISSIONS = {
  read: 'notification:read:*',
  update: 'notification:update:*',
  manageTemplates: 'notification:manage:*',
  send: 'notification:send:*',
} as const;
