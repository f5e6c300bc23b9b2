import type { SubgraphResolvers } from 'core-service';
import type { AuthContext } from '../deps.js';
import { changePassword, login, logout, refreshToken, register } from './identity.js';
import { requestOtp, verifyOtp } from './otp.js';
import { assignRole, revokeRole, roles, upsertRole } from './roles.js';
import { clearLoginThrottle, loginThrottle } from './login-throttle.js';
import { createTenant } from './tenants.js';
import { auditLog, resetServiceConfig, serviceConfigs, setServiceConfig, systemHealth, verifyAuditChainQuery } from './operations.js';
import { me, resolveUserReference, setUserStatus, user, users } from './users.js';

// `errorCodes` is resolved by core-service from the error registry.
export const resolvers: SubgraphResolvers<AuthContext> = {
  Query: { me, user, users, roles, loginThrottle, serviceConfigs, auditLog, verifyAuditChain: verifyAuditChainQuery, systemHealth },
  Mutation: {
    register,
    login,
    refreshToken,
    logout,
    changePassword,
    requestOtp,
    verifyOtp,
    assignRole,
    revokeRole,
    upsertRole,
    setUserStatus,
    createTenant,
    clearLoginThrottle,
    setServiceConfig,
    resetServiceConfig,
  },
  User: { __resolveReference: resolveUserReference as never },
};
