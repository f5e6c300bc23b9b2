/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query AdminUsers($first: Int!, $after: String, $filter: UserFilter) {\n    users(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          email\n          displayName\n          roles\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": typeof types.AdminUsersDocument,
    "\n  query AdminUser($id: ID!) {\n    user(id: $id) {\n      id\n      email\n      phone\n      displayName\n      roles\n      status\n      emailVerified\n      createdAt\n      wallets {\n        id\n        currency\n        balance\n        bonusBalance\n        lockedBalance\n        availableBalance\n      }\n    }\n    roles {\n      name\n    }\n  }\n": typeof types.AdminUserDocument,
    "\n  mutation AdminAssignRole($userId: ID!, $role: String!) {\n    assignRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n": typeof types.AdminAssignRoleDocument,
    "\n  mutation AdminRevokeRole($userId: ID!, $role: String!) {\n    revokeRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n": typeof types.AdminRevokeRoleDocument,
    "\n  mutation AdminSetUserStatus($userId: ID!, $status: UserStatus!) {\n    setUserStatus(userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n": typeof types.AdminSetUserStatusDocument,
    "\n  query AdminRoles {\n    roles {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n": typeof types.AdminRolesDocument,
    "\n  mutation AdminUpsertRole($input: RoleInput!) {\n    upsertRole(input: $input) {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n": typeof types.AdminUpsertRoleDocument,
    "\n  query AdminServiceConfigs {\n    serviceConfigs {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n": typeof types.AdminServiceConfigsDocument,
    "\n  mutation AdminSetServiceConfig($service: String!, $key: String!, $value: JSON!) {\n    setServiceConfig(service: $service, key: $key, value: $value) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n": typeof types.AdminSetServiceConfigDocument,
    "\n  mutation AdminResetServiceConfig($service: String!, $key: String!) {\n    resetServiceConfig(service: $service, key: $key) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n": typeof types.AdminResetServiceConfigDocument,
    "\n  mutation AdminDeposit($input: DepositInput!) {\n    deposit(input: $input) {\n      id\n      amount\n      balance\n      currency\n      createdAt\n    }\n  }\n": typeof types.AdminDepositDocument,
    "\n  query AdminAuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          service\n          category\n          action\n          outcome\n          actor {\n            type\n            id\n          }\n          resource {\n            type\n            id\n          }\n          before\n          after\n          data\n          seq\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": typeof types.AdminAuditLogDocument,
    "\n  query AdminVerifyAuditChain {\n    verifyAuditChain {\n      tenantId\n      ok\n      checked\n      headSeq\n      pending\n      firstBroken {\n        seq\n        entryId\n        reason\n      }\n    }\n  }\n": typeof types.AdminVerifyAuditChainDocument,
    "\n  query AdminBonusTemplates {\n    bonusTemplates {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      maxClaimsPerUser\n      active\n      claimable\n      budget\n      budgetSpent\n      updatedAt\n    }\n  }\n": typeof types.AdminBonusTemplatesDocument,
    "\n  mutation AdminUpsertBonusTemplate($input: BonusTemplateInput!) {\n    upsertBonusTemplate(input: $input) {\n      id\n      code\n    }\n  }\n": typeof types.AdminUpsertBonusTemplateDocument,
    "\n  query AdminNotificationTemplates {\n    notificationTemplates {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n    notificationTypes {\n      name\n      variables\n    }\n  }\n": typeof types.AdminNotificationTemplatesDocument,
    "\n  mutation AdminUpsertNotificationTemplate($input: NotificationTemplateInput!) {\n    upsertNotificationTemplate(input: $input) {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n  }\n": typeof types.AdminUpsertNotificationTemplateDocument,
    "\n  mutation AdminSendTestNotification($channel: NotificationChannel!, $to: String!, $type: String) {\n    sendTestNotification(channel: $channel, to: $to, type: $type) {\n      id\n      status\n      provider\n      lastError\n    }\n  }\n": typeof types.AdminSendTestNotificationDocument,
    "\n  query AdminSystemHealth {\n    systemHealth {\n      status\n      problems\n      checkedAt\n      services {\n        name\n        status\n        readyInstances\n        instances {\n          id\n          ready\n          stale\n          state\n          startedAt\n          reportedAt\n          checks {\n            name\n            ok\n            critical\n            latencyMs\n            error\n          }\n          breakers {\n            name\n            state\n          }\n        }\n        outbox {\n          pending\n          oldestPendingAgeSeconds\n        }\n        events {\n          lag\n          pending\n          deadLetters\n        }\n        queues {\n          name\n          waiting\n          active\n          delayed\n          prioritized\n          failed\n        }\n      }\n    }\n  }\n": typeof types.AdminSystemHealthDocument,
    "\n  fragment ReconciliationReportFields on ReconciliationReport {\n    currency\n    checkedAt\n    wallets\n    transfers\n    total\n    isBalanced\n    findings {\n      kind\n      currency\n      walletId\n      transferId\n      balanceType\n      expected\n      actual\n    }\n  }\n": typeof types.ReconciliationReportFieldsFragmentDoc,
    "\n  query AdminReconciliationReport($currency: String!) {\n    reconciliationReport(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n": typeof types.AdminReconciliationReportDocument,
    "\n  mutation AdminRunReconciliation($currency: String!) {\n    runReconciliation(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n": typeof types.AdminRunReconciliationDocument,
    "\n  query AdminWebhooks {\n    webhooks {\n      id\n      url\n      events\n      secret\n      description\n      enabled\n      createdAt\n    }\n  }\n": typeof types.AdminWebhooksDocument,
    "\n  mutation AdminRegisterWebhook($input: RegisterWebhookInput!) {\n    registerWebhook(input: $input) {\n      id\n      url\n      events\n      secret\n    }\n  }\n": typeof types.AdminRegisterWebhookDocument,
    "\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": typeof types.AdminDeleteWebhookDocument,
    "\n  fragment SessionUser on User {\n    id\n    tenantId\n    email\n    displayName\n    roles\n    referralCode\n  }\n": typeof types.SessionUserFragmentDoc,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": typeof types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  mutation RequestOtp($input: RequestOtpInput!) {\n    requestOtp(input: $input)\n  }\n": typeof types.RequestOtpDocument,
    "\n  mutation VerifyOtp($input: VerifyOtpInput!) {\n    verifyOtp(input: $input)\n  }\n": typeof types.VerifyOtpDocument,
    "\n  query Me {\n    me {\n      ...SessionUser\n      emailVerified\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Bonuses($first: Int!, $after: String) {\n    bonusTemplates(activeOnly: true) {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      claimable\n    }\n    myBonuses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          templateCode\n          type\n          currency\n          amount\n          turnoverRequired\n          turnoverProgress\n          status\n          expiresAt\n          createdAt\n          resolvedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.BonusesDocument,
    "\n  mutation ClaimBonus($templateCode: String!, $idempotencyKey: String!) {\n    claimBonus(templateCode: $templateCode, idempotencyKey: $idempotencyKey) {\n      id\n      status\n      amount\n      currency\n    }\n  }\n": typeof types.ClaimBonusDocument,
    "\n  query Transactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          amount\n          balance\n          balanceType\n          currency\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.TransactionsDocument,
    "\n  query Transfers($first: Int!, $after: String, $filter: TransferFilter) {\n    transfers(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          fromUserId\n          toUserId\n          from {\n            id\n            displayName\n            systemAccount\n          }\n          to {\n            id\n            displayName\n            systemAccount\n          }\n          amount\n          currency\n          status\n          description\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.TransfersDocument,
    "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n": typeof types.UnreadNotificationCountDocument,
    "\n  query Notifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          title\n          body\n          readAt\n          createdAt\n          critical\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.NotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": typeof types.MarkAllNotificationsReadDocument,
    "\n  query NotificationPreferences {\n    notificationPreferences {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n    notificationTypes {\n      name\n      critical\n      channels\n    }\n  }\n": typeof types.NotificationPreferencesDocument,
    "\n  mutation UpdateNotificationPreferences($input: NotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n  }\n": typeof types.UpdateNotificationPreferencesDocument,
    "\n  subscription NotificationReceived {\n    notificationReceived {\n      id\n      type\n      title\n      body\n      readAt\n      createdAt\n      critical\n    }\n  }\n": typeof types.NotificationReceivedDocument,
    "\n  subscription BonusUpdated {\n    bonusUpdated {\n      id\n      status\n      turnoverProgress\n      turnoverRequired\n      amount\n      currency\n      expiresAt\n      resolvedAt\n    }\n  }\n": typeof types.BonusUpdatedDocument,
    "\n  subscription TransferStatusChanged {\n    transferStatusChanged {\n      id\n      status\n    }\n  }\n": typeof types.TransferStatusChangedDocument,
    "\n  query LookupRecipient($email: String!) {\n    lookupRecipient(email: $email) {\n      id\n      displayName\n    }\n  }\n": typeof types.LookupRecipientDocument,
    "\n  mutation CreateTransfer($input: CreateTransferInput!) {\n    createTransfer(input: $input) {\n      id\n      amount\n      currency\n      status\n      description\n      createdAt\n    }\n  }\n": typeof types.CreateTransferDocument,
    "\n  mutation Withdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      id\n      amount\n      currency\n      status\n      createdAt\n    }\n  }\n": typeof types.WithdrawDocument,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    balance\n    bonusBalance\n    lockedBalance\n    availableBalance\n    updatedAt\n  }\n": typeof types.WalletFieldsFragmentDoc,
    "\n  query MyWallets {\n    myWallets {\n      ...WalletFields\n    }\n  }\n": typeof types.MyWalletsDocument,
    "\n  subscription WalletUpdated {\n    walletUpdated {\n      ...WalletFields\n    }\n  }\n": typeof types.WalletUpdatedDocument,
};
const documents: Documents = {
    "\n  query AdminUsers($first: Int!, $after: String, $filter: UserFilter) {\n    users(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          email\n          displayName\n          roles\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": types.AdminUsersDocument,
    "\n  query AdminUser($id: ID!) {\n    user(id: $id) {\n      id\n      email\n      phone\n      displayName\n      roles\n      status\n      emailVerified\n      createdAt\n      wallets {\n        id\n        currency\n        balance\n        bonusBalance\n        lockedBalance\n        availableBalance\n      }\n    }\n    roles {\n      name\n    }\n  }\n": types.AdminUserDocument,
    "\n  mutation AdminAssignRole($userId: ID!, $role: String!) {\n    assignRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n": types.AdminAssignRoleDocument,
    "\n  mutation AdminRevokeRole($userId: ID!, $role: String!) {\n    revokeRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n": types.AdminRevokeRoleDocument,
    "\n  mutation AdminSetUserStatus($userId: ID!, $status: UserStatus!) {\n    setUserStatus(userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n": types.AdminSetUserStatusDocument,
    "\n  query AdminRoles {\n    roles {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n": types.AdminRolesDocument,
    "\n  mutation AdminUpsertRole($input: RoleInput!) {\n    upsertRole(input: $input) {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n": types.AdminUpsertRoleDocument,
    "\n  query AdminServiceConfigs {\n    serviceConfigs {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n": types.AdminServiceConfigsDocument,
    "\n  mutation AdminSetServiceConfig($service: String!, $key: String!, $value: JSON!) {\n    setServiceConfig(service: $service, key: $key, value: $value) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n": types.AdminSetServiceConfigDocument,
    "\n  mutation AdminResetServiceConfig($service: String!, $key: String!) {\n    resetServiceConfig(service: $service, key: $key) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n": types.AdminResetServiceConfigDocument,
    "\n  mutation AdminDeposit($input: DepositInput!) {\n    deposit(input: $input) {\n      id\n      amount\n      balance\n      currency\n      createdAt\n    }\n  }\n": types.AdminDepositDocument,
    "\n  query AdminAuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          service\n          category\n          action\n          outcome\n          actor {\n            type\n            id\n          }\n          resource {\n            type\n            id\n          }\n          before\n          after\n          data\n          seq\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n": types.AdminAuditLogDocument,
    "\n  query AdminVerifyAuditChain {\n    verifyAuditChain {\n      tenantId\n      ok\n      checked\n      headSeq\n      pending\n      firstBroken {\n        seq\n        entryId\n        reason\n      }\n    }\n  }\n": types.AdminVerifyAuditChainDocument,
    "\n  query AdminBonusTemplates {\n    bonusTemplates {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      maxClaimsPerUser\n      active\n      claimable\n      budget\n      budgetSpent\n      updatedAt\n    }\n  }\n": types.AdminBonusTemplatesDocument,
    "\n  mutation AdminUpsertBonusTemplate($input: BonusTemplateInput!) {\n    upsertBonusTemplate(input: $input) {\n      id\n      code\n    }\n  }\n": types.AdminUpsertBonusTemplateDocument,
    "\n  query AdminNotificationTemplates {\n    notificationTemplates {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n    notificationTypes {\n      name\n      variables\n    }\n  }\n": types.AdminNotificationTemplatesDocument,
    "\n  mutation AdminUpsertNotificationTemplate($input: NotificationTemplateInput!) {\n    upsertNotificationTemplate(input: $input) {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n  }\n": types.AdminUpsertNotificationTemplateDocument,
    "\n  mutation AdminSendTestNotification($channel: NotificationChannel!, $to: String!, $type: String) {\n    sendTestNotification(channel: $channel, to: $to, type: $type) {\n      id\n      status\n      provider\n      lastError\n    }\n  }\n": types.AdminSendTestNotificationDocument,
    "\n  query AdminSystemHealth {\n    systemHealth {\n      status\n      problems\n      checkedAt\n      services {\n        name\n        status\n        readyInstances\n        instances {\n          id\n          ready\n          stale\n          state\n          startedAt\n          reportedAt\n          checks {\n            name\n            ok\n            critical\n            latencyMs\n            error\n          }\n          breakers {\n            name\n            state\n          }\n        }\n        outbox {\n          pending\n          oldestPendingAgeSeconds\n        }\n        events {\n          lag\n          pending\n          deadLetters\n        }\n        queues {\n          name\n          waiting\n          active\n          delayed\n          prioritized\n          failed\n        }\n      }\n    }\n  }\n": types.AdminSystemHealthDocument,
    "\n  fragment ReconciliationReportFields on ReconciliationReport {\n    currency\n    checkedAt\n    wallets\n    transfers\n    total\n    isBalanced\n    findings {\n      kind\n      currency\n      walletId\n      transferId\n      balanceType\n      expected\n      actual\n    }\n  }\n": types.ReconciliationReportFieldsFragmentDoc,
    "\n  query AdminReconciliationReport($currency: String!) {\n    reconciliationReport(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n": types.AdminReconciliationReportDocument,
    "\n  mutation AdminRunReconciliation($currency: String!) {\n    runReconciliation(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n": types.AdminRunReconciliationDocument,
    "\n  query AdminWebhooks {\n    webhooks {\n      id\n      url\n      events\n      secret\n      description\n      enabled\n      createdAt\n    }\n  }\n": types.AdminWebhooksDocument,
    "\n  mutation AdminRegisterWebhook($input: RegisterWebhookInput!) {\n    registerWebhook(input: $input) {\n      id\n      url\n      events\n      secret\n    }\n  }\n": types.AdminRegisterWebhookDocument,
    "\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n": types.AdminDeleteWebhookDocument,
    "\n  fragment SessionUser on User {\n    id\n    tenantId\n    email\n    displayName\n    roles\n    referralCode\n  }\n": types.SessionUserFragmentDoc,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n": types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  mutation RequestOtp($input: RequestOtpInput!) {\n    requestOtp(input: $input)\n  }\n": types.RequestOtpDocument,
    "\n  mutation VerifyOtp($input: VerifyOtpInput!) {\n    verifyOtp(input: $input)\n  }\n": types.VerifyOtpDocument,
    "\n  query Me {\n    me {\n      ...SessionUser\n      emailVerified\n    }\n  }\n": types.MeDocument,
    "\n  query Bonuses($first: Int!, $after: String) {\n    bonusTemplates(activeOnly: true) {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      claimable\n    }\n    myBonuses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          templateCode\n          type\n          currency\n          amount\n          turnoverRequired\n          turnoverProgress\n          status\n          expiresAt\n          createdAt\n          resolvedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.BonusesDocument,
    "\n  mutation ClaimBonus($templateCode: String!, $idempotencyKey: String!) {\n    claimBonus(templateCode: $templateCode, idempotencyKey: $idempotencyKey) {\n      id\n      status\n      amount\n      currency\n    }\n  }\n": types.ClaimBonusDocument,
    "\n  query Transactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          amount\n          balance\n          balanceType\n          currency\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.TransactionsDocument,
    "\n  query Transfers($first: Int!, $after: String, $filter: TransferFilter) {\n    transfers(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          fromUserId\n          toUserId\n          from {\n            id\n            displayName\n            systemAccount\n          }\n          to {\n            id\n            displayName\n            systemAccount\n          }\n          amount\n          currency\n          status\n          description\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.TransfersDocument,
    "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n": types.UnreadNotificationCountDocument,
    "\n  query Notifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          title\n          body\n          readAt\n          createdAt\n          critical\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.NotificationsDocument,
    "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n": types.MarkNotificationsReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": types.MarkAllNotificationsReadDocument,
    "\n  query NotificationPreferences {\n    notificationPreferences {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n    notificationTypes {\n      name\n      critical\n      channels\n    }\n  }\n": types.NotificationPreferencesDocument,
    "\n  mutation UpdateNotificationPreferences($input: NotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n  }\n": types.UpdateNotificationPreferencesDocument,
    "\n  subscription NotificationReceived {\n    notificationReceived {\n      id\n      type\n      title\n      body\n      readAt\n      createdAt\n      critical\n    }\n  }\n": types.NotificationReceivedDocument,
    "\n  subscription BonusUpdated {\n    bonusUpdated {\n      id\n      status\n      turnoverProgress\n      turnoverRequired\n      amount\n      currency\n      expiresAt\n      resolvedAt\n    }\n  }\n": types.BonusUpdatedDocument,
    "\n  subscription TransferStatusChanged {\n    transferStatusChanged {\n      id\n      status\n    }\n  }\n": types.TransferStatusChangedDocument,
    "\n  query LookupRecipient($email: String!) {\n    lookupRecipient(email: $email) {\n      id\n      displayName\n    }\n  }\n": types.LookupRecipientDocument,
    "\n  mutation CreateTransfer($input: CreateTransferInput!) {\n    createTransfer(input: $input) {\n      id\n      amount\n      currency\n      status\n      description\n      createdAt\n    }\n  }\n": types.CreateTransferDocument,
    "\n  mutation Withdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      id\n      amount\n      currency\n      status\n      createdAt\n    }\n  }\n": types.WithdrawDocument,
    "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    balance\n    bonusBalance\n    lockedBalance\n    availableBalance\n    updatedAt\n  }\n": types.WalletFieldsFragmentDoc,
    "\n  query MyWallets {\n    myWallets {\n      ...WalletFields\n    }\n  }\n": types.MyWalletsDocument,
    "\n  subscription WalletUpdated {\n    walletUpdated {\n      ...WalletFields\n    }\n  }\n": types.WalletUpdatedDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUsers($first: Int!, $after: String, $filter: UserFilter) {\n    users(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          email\n          displayName\n          roles\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query AdminUsers($first: Int!, $after: String, $filter: UserFilter) {\n    users(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          email\n          displayName\n          roles\n          status\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminUser($id: ID!) {\n    user(id: $id) {\n      id\n      email\n      phone\n      displayName\n      roles\n      status\n      emailVerified\n      createdAt\n      wallets {\n        id\n        currency\n        balance\n        bonusBalance\n        lockedBalance\n        availableBalance\n      }\n    }\n    roles {\n      name\n    }\n  }\n"): (typeof documents)["\n  query AdminUser($id: ID!) {\n    user(id: $id) {\n      id\n      email\n      phone\n      displayName\n      roles\n      status\n      emailVerified\n      createdAt\n      wallets {\n        id\n        currency\n        balance\n        bonusBalance\n        lockedBalance\n        availableBalance\n      }\n    }\n    roles {\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminAssignRole($userId: ID!, $role: String!) {\n    assignRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n"): (typeof documents)["\n  mutation AdminAssignRole($userId: ID!, $role: String!) {\n    assignRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRevokeRole($userId: ID!, $role: String!) {\n    revokeRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n"): (typeof documents)["\n  mutation AdminRevokeRole($userId: ID!, $role: String!) {\n    revokeRole(userId: $userId, role: $role) {\n      id\n      roles\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSetUserStatus($userId: ID!, $status: UserStatus!) {\n    setUserStatus(userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  mutation AdminSetUserStatus($userId: ID!, $status: UserStatus!) {\n    setUserStatus(userId: $userId, status: $status) {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminRoles {\n    roles {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n"): (typeof documents)["\n  query AdminRoles {\n    roles {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminUpsertRole($input: RoleInput!) {\n    upsertRole(input: $input) {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n"): (typeof documents)["\n  mutation AdminUpsertRole($input: RoleInput!) {\n    upsertRole(input: $input) {\n      name\n      permissions\n      denies\n      inherits\n      tenantSpecific\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminServiceConfigs {\n    serviceConfigs {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n"): (typeof documents)["\n  query AdminServiceConfigs {\n    serviceConfigs {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSetServiceConfig($service: String!, $key: String!, $value: JSON!) {\n    setServiceConfig(service: $service, key: $key, value: $value) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n"): (typeof documents)["\n  mutation AdminSetServiceConfig($service: String!, $key: String!, $value: JSON!) {\n    setServiceConfig(service: $service, key: $key, value: $value) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminResetServiceConfig($service: String!, $key: String!) {\n    resetServiceConfig(service: $service, key: $key) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n"): (typeof documents)["\n  mutation AdminResetServiceConfig($service: String!, $key: String!) {\n    resetServiceConfig(service: $service, key: $key) {\n      service\n      key\n      value\n      defaultValue\n      source\n      sensitive\n      description\n      updatedAt\n      updatedBy\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeposit($input: DepositInput!) {\n    deposit(input: $input) {\n      id\n      amount\n      balance\n      currency\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation AdminDeposit($input: DepositInput!) {\n    deposit(input: $input) {\n      id\n      amount\n      balance\n      currency\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminAuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          service\n          category\n          action\n          outcome\n          actor {\n            type\n            id\n          }\n          resource {\n            type\n            id\n          }\n          before\n          after\n          data\n          seq\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query AdminAuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          at\n          service\n          category\n          action\n          outcome\n          actor {\n            type\n            id\n          }\n          resource {\n            type\n            id\n          }\n          before\n          after\n          data\n          seq\n          hash\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminVerifyAuditChain {\n    verifyAuditChain {\n      tenantId\n      ok\n      checked\n      headSeq\n      pending\n      firstBroken {\n        seq\n        entryId\n        reason\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminVerifyAuditChain {\n    verifyAuditChain {\n      tenantId\n      ok\n      checked\n      headSeq\n      pending\n      firstBroken {\n        seq\n        entryId\n        reason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminBonusTemplates {\n    bonusTemplates {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      maxClaimsPerUser\n      active\n      claimable\n      budget\n      budgetSpent\n      updatedAt\n    }\n  }\n"): (typeof documents)["\n  query AdminBonusTemplates {\n    bonusTemplates {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      maxClaimsPerUser\n      active\n      claimable\n      budget\n      budgetSpent\n      updatedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminUpsertBonusTemplate($input: BonusTemplateInput!) {\n    upsertBonusTemplate(input: $input) {\n      id\n      code\n    }\n  }\n"): (typeof documents)["\n  mutation AdminUpsertBonusTemplate($input: BonusTemplateInput!) {\n    upsertBonusTemplate(input: $input) {\n      id\n      code\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminNotificationTemplates {\n    notificationTemplates {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n    notificationTypes {\n      name\n      variables\n    }\n  }\n"): (typeof documents)["\n  query AdminNotificationTemplates {\n    notificationTemplates {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n    notificationTypes {\n      name\n      variables\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminUpsertNotificationTemplate($input: NotificationTemplateInput!) {\n    upsertNotificationTemplate(input: $input) {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n  }\n"): (typeof documents)["\n  mutation AdminUpsertNotificationTemplate($input: NotificationTemplateInput!) {\n    upsertNotificationTemplate(input: $input) {\n      id\n      type\n      channel\n      locale\n      subject\n      body\n      updatedAt\n      builtIn\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminSendTestNotification($channel: NotificationChannel!, $to: String!, $type: String) {\n    sendTestNotification(channel: $channel, to: $to, type: $type) {\n      id\n      status\n      provider\n      lastError\n    }\n  }\n"): (typeof documents)["\n  mutation AdminSendTestNotification($channel: NotificationChannel!, $to: String!, $type: String) {\n    sendTestNotification(channel: $channel, to: $to, type: $type) {\n      id\n      status\n      provider\n      lastError\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminSystemHealth {\n    systemHealth {\n      status\n      problems\n      checkedAt\n      services {\n        name\n        status\n        readyInstances\n        instances {\n          id\n          ready\n          stale\n          state\n          startedAt\n          reportedAt\n          checks {\n            name\n            ok\n            critical\n            latencyMs\n            error\n          }\n          breakers {\n            name\n            state\n          }\n        }\n        outbox {\n          pending\n          oldestPendingAgeSeconds\n        }\n        events {\n          lag\n          pending\n          deadLetters\n        }\n        queues {\n          name\n          waiting\n          active\n          delayed\n          prioritized\n          failed\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AdminSystemHealth {\n    systemHealth {\n      status\n      problems\n      checkedAt\n      services {\n        name\n        status\n        readyInstances\n        instances {\n          id\n          ready\n          stale\n          state\n          startedAt\n          reportedAt\n          checks {\n            name\n            ok\n            critical\n            latencyMs\n            error\n          }\n          breakers {\n            name\n            state\n          }\n        }\n        outbox {\n          pending\n          oldestPendingAgeSeconds\n        }\n        events {\n          lag\n          pending\n          deadLetters\n        }\n        queues {\n          name\n          waiting\n          active\n          delayed\n          prioritized\n          failed\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReconciliationReportFields on ReconciliationReport {\n    currency\n    checkedAt\n    wallets\n    transfers\n    total\n    isBalanced\n    findings {\n      kind\n      currency\n      walletId\n      transferId\n      balanceType\n      expected\n      actual\n    }\n  }\n"): (typeof documents)["\n  fragment ReconciliationReportFields on ReconciliationReport {\n    currency\n    checkedAt\n    wallets\n    transfers\n    total\n    isBalanced\n    findings {\n      kind\n      currency\n      walletId\n      transferId\n      balanceType\n      expected\n      actual\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminReconciliationReport($currency: String!) {\n    reconciliationReport(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n"): (typeof documents)["\n  query AdminReconciliationReport($currency: String!) {\n    reconciliationReport(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRunReconciliation($currency: String!) {\n    runReconciliation(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n"): (typeof documents)["\n  mutation AdminRunReconciliation($currency: String!) {\n    runReconciliation(currency: $currency) {\n      ...ReconciliationReportFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminWebhooks {\n    webhooks {\n      id\n      url\n      events\n      secret\n      description\n      enabled\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query AdminWebhooks {\n    webhooks {\n      id\n      url\n      events\n      secret\n      description\n      enabled\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminRegisterWebhook($input: RegisterWebhookInput!) {\n    registerWebhook(input: $input) {\n      id\n      url\n      events\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation AdminRegisterWebhook($input: RegisterWebhookInput!) {\n    registerWebhook(input: $input) {\n      id\n      url\n      events\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"): (typeof documents)["\n  mutation AdminDeleteWebhook($id: ID!) {\n    deleteWebhook(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionUser on User {\n    id\n    tenantId\n    email\n    displayName\n    roles\n    referralCode\n  }\n"): (typeof documents)["\n  fragment SessionUser on User {\n    id\n    tenantId\n    email\n    displayName\n    roles\n    referralCode\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresIn\n      user {\n        ...SessionUser\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestOtp($input: RequestOtpInput!) {\n    requestOtp(input: $input)\n  }\n"): (typeof documents)["\n  mutation RequestOtp($input: RequestOtpInput!) {\n    requestOtp(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyOtp($input: VerifyOtpInput!) {\n    verifyOtp(input: $input)\n  }\n"): (typeof documents)["\n  mutation VerifyOtp($input: VerifyOtpInput!) {\n    verifyOtp(input: $input)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...SessionUser\n      emailVerified\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...SessionUser\n      emailVerified\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Bonuses($first: Int!, $after: String) {\n    bonusTemplates(activeOnly: true) {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      claimable\n    }\n    myBonuses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          templateCode\n          type\n          currency\n          amount\n          turnoverRequired\n          turnoverProgress\n          status\n          expiresAt\n          createdAt\n          resolvedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Bonuses($first: Int!, $after: String) {\n    bonusTemplates(activeOnly: true) {\n      id\n      code\n      name\n      type\n      currency\n      amount\n      percent\n      maxAmount\n      turnoverMultiplier\n      validForDays\n      claimable\n    }\n    myBonuses(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          id\n          templateCode\n          type\n          currency\n          amount\n          turnoverRequired\n          turnoverProgress\n          status\n          expiresAt\n          createdAt\n          resolvedAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClaimBonus($templateCode: String!, $idempotencyKey: String!) {\n    claimBonus(templateCode: $templateCode, idempotencyKey: $idempotencyKey) {\n      id\n      status\n      amount\n      currency\n    }\n  }\n"): (typeof documents)["\n  mutation ClaimBonus($templateCode: String!, $idempotencyKey: String!) {\n    claimBonus(templateCode: $templateCode, idempotencyKey: $idempotencyKey) {\n      id\n      status\n      amount\n      currency\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Transactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          amount\n          balance\n          balanceType\n          currency\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Transactions($first: Int!, $after: String, $filter: TransactionFilter) {\n    transactions(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          amount\n          balance\n          balanceType\n          currency\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Transfers($first: Int!, $after: String, $filter: TransferFilter) {\n    transfers(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          fromUserId\n          toUserId\n          from {\n            id\n            displayName\n            systemAccount\n          }\n          to {\n            id\n            displayName\n            systemAccount\n          }\n          amount\n          currency\n          status\n          description\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Transfers($first: Int!, $after: String, $filter: TransferFilter) {\n    transfers(first: $first, after: $after, filter: $filter) {\n      edges {\n        cursor\n        node {\n          id\n          fromUserId\n          toUserId\n          from {\n            id\n            displayName\n            systemAccount\n          }\n          to {\n            id\n            displayName\n            systemAccount\n          }\n          amount\n          currency\n          status\n          description\n          createdAt\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n"): (typeof documents)["\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Notifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          title\n          body\n          readAt\n          createdAt\n          critical\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query Notifications($first: Int!, $after: String, $unreadOnly: Boolean) {\n    notifications(first: $first, after: $after, unreadOnly: $unreadOnly) {\n      edges {\n        cursor\n        node {\n          id\n          type\n          title\n          body\n          readAt\n          createdAt\n          critical\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationsRead($ids: [ID!]!) {\n    markNotificationsRead(ids: $ids)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"): (typeof documents)["\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationPreferences {\n    notificationPreferences {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n    notificationTypes {\n      name\n      critical\n      channels\n    }\n  }\n"): (typeof documents)["\n  query NotificationPreferences {\n    notificationPreferences {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n    notificationTypes {\n      name\n      critical\n      channels\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateNotificationPreferences($input: NotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateNotificationPreferences($input: NotificationPreferencesInput!) {\n    updateNotificationPreferences(input: $input) {\n      channels\n      mutedTypes\n      locale\n      email\n      phone\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationReceived {\n    notificationReceived {\n      id\n      type\n      title\n      body\n      readAt\n      createdAt\n      critical\n    }\n  }\n"): (typeof documents)["\n  subscription NotificationReceived {\n    notificationReceived {\n      id\n      type\n      title\n      body\n      readAt\n      createdAt\n      critical\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BonusUpdated {\n    bonusUpdated {\n      id\n      status\n      turnoverProgress\n      turnoverRequired\n      amount\n      currency\n      expiresAt\n      resolvedAt\n    }\n  }\n"): (typeof documents)["\n  subscription BonusUpdated {\n    bonusUpdated {\n      id\n      status\n      turnoverProgress\n      turnoverRequired\n      amount\n      currency\n      expiresAt\n      resolvedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TransferStatusChanged {\n    transferStatusChanged {\n      id\n      status\n    }\n  }\n"): (typeof documents)["\n  subscription TransferStatusChanged {\n    transferStatusChanged {\n      id\n      status\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LookupRecipient($email: String!) {\n    lookupRecipient(email: $email) {\n      id\n      displayName\n    }\n  }\n"): (typeof documents)["\n  query LookupRecipient($email: String!) {\n    lookupRecipient(email: $email) {\n      id\n      displayName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTransfer($input: CreateTransferInput!) {\n    createTransfer(input: $input) {\n      id\n      amount\n      currency\n      status\n      description\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTransfer($input: CreateTransferInput!) {\n    createTransfer(input: $input) {\n      id\n      amount\n      currency\n      status\n      description\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Withdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      id\n      amount\n      currency\n      status\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation Withdraw($input: WithdrawInput!) {\n    withdraw(input: $input) {\n      id\n      amount\n      currency\n      status\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment WalletFields on Wallet {\n    id\n    currency\n    balance\n    bonusBalance\n    lockedBalance\n    availableBalance\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment WalletFields on Wallet {\n    id\n    currency\n    balance\n    bonusBalance\n    lockedBalance\n    availableBalance\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyWallets {\n    myWallets {\n      ...WalletFields\n    }\n  }\n"): (typeof documents)["\n  query MyWallets {\n    myWallets {\n      ...WalletFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription WalletUpdated {\n    walletUpdated {\n      ...WalletFields\n    }\n  }\n"): (typeof documents)["\n  subscription WalletUpdated {\n    walletUpdated {\n      ...WalletFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;