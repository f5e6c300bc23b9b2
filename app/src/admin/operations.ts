import { graphql } from '../gql/index.js';

export const USERS = graphql(`
  query AdminUsers($first: Int!, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          email
          displayName
          roles
          status
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
    }
  }
`);

export const USER_DETAIL = graphql(`
  query AdminUser($id: ID!) {
    user(id: $id) {
      id
      email
      phone
      displayName
      roles
      status
      emailVerified
      createdAt
      wallets {
        id
        currency
        balance
        bonusBalance
        lockedBalance
        availableBalance
      }
    }
    roles {
      name
    }
  }
`);

export const ASSIGN_ROLE = graphql(`
  mutation AdminAssignRole($userId: ID!, $role: String!) {
    assignRole(userId: $userId, role: $role) {
      id
      roles
    }
  }
`);

export const REVOKE_ROLE = graphql(`
  mutation AdminRevokeRole($userId: ID!, $role: String!) {
    revokeRole(userId: $userId, role: $role) {
      id
      roles
    }
  }
`);

export const SET_USER_STATUS = graphql(`
  mutation AdminSetUserStatus($userId: ID!, $status: UserStatus!) {
    setUserStatus(userId: $userId, status: $status) {
      id
      status
    }
  }
`);

export const ROLES = graphql(`
  query AdminRoles {
    roles {
      name
      permissions
      denies
      inherits
      tenantSpecific
    }
  }
`);

export const UPSERT_ROLE = graphql(`
  mutation AdminUpsertRole($input: RoleInput!) {
    upsertRole(input: $input) {
      name
      permissions
      denies
      inherits
      tenantSpecific
    }
  }
`);

export const SERVICE_CONFIGS = graphql(`
  query AdminServiceConfigs {
    serviceConfigs {
      service
      key
      value
      defaultValue
      source
      sensitive
      description
      updatedAt
      updatedBy
    }
  }
`);

export const SET_SERVICE_CONFIG = graphql(`
  mutation AdminSetServiceConfig($service: String!, $key: String!, $value: JSON!) {
    setServiceConfig(service: $service, key: $key, value: $value) {
      service
      key
      value
      defaultValue
      source
      sensitive
      description
      updatedAt
      updatedBy
    }
  }
`);

export const RESET_SERVICE_CONFIG = graphql(`
  mutation AdminResetServiceConfig($service: String!, $key: String!) {
    resetServiceConfig(service: $service, key: $key) {
      service
      key
      value
      defaultValue
      source
      sensitive
      description
      updatedAt
      updatedBy
    }
  }
`);

export const DEPOSIT = graphql(`
  mutation AdminDeposit($input: DepositInput!) {
    deposit(input: $input) {
      id
      amount
      balance
      currency
      createdAt
    }
  }
`);

export const AUDIT_LOG = graphql(`
  query AdminAuditLog($first: Int!, $after: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          at
          service
          category
          action
          outcome
          actor {
            type
            id
          }
          resource {
            type
            id
          }
          before
          after
          data
          seq
          hash
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      totalCount
    }
  }
`);

export const VERIFY_AUDIT_CHAIN = graphql(`
  query AdminVerifyAuditChain {
    verifyAuditChain {
      tenantId
      ok
      checked
      headSeq
      pending
      firstBroken {
        seq
        entryId
        reason
      }
    }
  }
`);

export const BONUS_TEMPLATES = graphql(`
  query AdminBonusTemplates {
    bonusTemplates {
      id
      code
      name
      type
      currency
      amount
      percent
      maxAmount
      turnoverMultiplier
      validForDays
      maxClaimsPerUser
      active
      claimable
      budget
      budgetSpent
      updatedAt
    }
  }
`);

export const UPSERT_BONUS_TEMPLATE = graphql(`
  mutation AdminUpsertBonusTemplate($input: BonusTemplateInput!) {
    upsertBonusTemplate(input: $input) {
      id
      code
    }
  }
`);

export const NOTIFICATION_TEMPLATES = graphql(`
  query AdminNotificationTemplates {
    notificationTemplates {
      id
      type
      channel
      locale
      subject
      body
      updatedAt
      builtIn
    }
    notificationTypes {
      name
      variables
    }
  }
`);

export const UPSERT_NOTIFICATION_TEMPLATE = graphql(`
  mutation AdminUpsertNotificationTemplate($input: NotificationTemplateInput!) {
    upsertNotificationTemplate(input: $input) {
      id
      type
      channel
      locale
      subject
      body
      updatedAt
      builtIn
    }
  }
`);

export const SEND_TEST_NOTIFICATION = graphql(`
  mutation AdminSendTestNotification($channel: NotificationChannel!, $to: String!, $type: String) {
    sendTestNotification(channel: $channel, to: $to, type: $type) {
      id
      status
      provider
      lastError
    }
  }
`);

export const SYSTEM_HEALTH = graphql(`
  query AdminSystemHealth {
    systemHealth {
      status
      problems
      checkedAt
      services {
        name
        status
        readyInstances
        instances {
          id
          ready
          stale
          state
          startedAt
          reportedAt
          checks {
            name
            ok
            critical
            latencyMs
            error
          }
          breakers {
            name
            state
          }
        }
        outbox {
          pending
          oldestPendingAgeSeconds
        }
        events {
          lag
          pending
          deadLetters
        }
        queues {
          name
          waiting
          active
          delayed
          prioritized
          failed
        }
      }
    }
  }
`);
