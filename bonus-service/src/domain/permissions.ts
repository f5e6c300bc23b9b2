/**
 * The permission URNs bonus-service asks for, checked against `{ ownerId, tenantId }`: the
 * auth-service's default roles grant `user` `bonus:read:own` and `bonus:claim:own`, and `admin`
 * every bonus permission in its tenant (`*:*:tenant`).
 */
export const BONUS_PERMISSIONS = {
  read: 'bonus:read:*',
  claim: 'bonus:claim:*',
  award: 'bonus:award:*',
  cancel: 'bonus:cancel:*',
  manageTemplates: 'bonus:manage:*',
} as const;
