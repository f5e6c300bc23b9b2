export { signAccessToken, verifyAccessToken } from './access-token.js';
export type { AccessTokenClaims, AccessTokenInput, SignAccessTokenOptions, VerifyAccessTokenOptions } from './access-token.js';
export { AccessTokenError, ACCESS_TOKEN_REJECTIONS } from './access-token-error.js';
export type { AccessTokenRejection } from './access-token-error.js';
export {
  loadAccessTokenKeys,
  accessTokenKeysFromConfig,
  registerAccessTokenConfigDefaults,
  ACCESS_TOKEN_CONFIG_SERVICE,
  ACCESS_TOKEN_CONFIG_KEY,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_ISSUER,
  DEFAULT_TOKEN_AUDIENCE,
  MIN_HMAC_SECRET_LENGTH,
} from './access-token-keys.js';
export type {
  AccessTokenKeys,
  HmacAccessTokenKeys,
  RsaAccessTokenKeys,
  AccessTokenConfig,
  LoadAccessTokenKeysOptions,
} from './access-token-keys.js';
export { createSessionCache, isSessionRevoked, sessionCacheKey, sessionRevocationChannel } from './session-cache.js';
export type { SessionCache, SessionCacheOptions, SessionCacheState, IsSessionRevokedOptions } from './session-cache.js';
export { sealOtpCode, openOtpCode, parseOtpDeliveryKey } from './otp-delivery.js';
export type { SealedOtpCode } from './otp-delivery.js';
