import { type } from 'arktype';
import { getConfigWithDefault } from '../config/config-api.js';
import { registerServiceConfigDefaults } from '../config/config-registry.js';

/**
 * Key material for access tokens. The algorithm is part of the key material, not of the token:
 * verification accepts exactly this algorithm, so a token cannot choose `none` or make an RSA
 * public key serve as an HMAC secret (algorithm confusion).
 */
export type AccessTokenKeys = HmacAccessTokenKeys | RsaAccessTokenKeys;

interface CommonKeyOptions {
  /** `iss` written and required. */
  readonly issuer: string;
  /** `aud` written and required. */
  readonly audience: string;
  /** Access token lifetime; default 900 s (15 min). */
  readonly accessTokenTtlSeconds?: number;
}

export interface HmacAccessTokenKeys extends CommonKeyOptions {
  readonly algorithm: 'HS256';
  /** Signs and verifies. At least 32 characters. */
  readonly secret: string;
  /** Still accepted when verifying, during a rotation; never used to sign. */
  readonly previousSecrets?: readonly string[];
}

export interface RsaAccessTokenKeys extends CommonKeyOptions {
  readonly algorithm: 'RS256';
  /** The key that signs; its `kid` goes into the token header. Absent on verify-only hosts (the gateway). */
  readonly signingKey?: { readonly kid: string; readonly privateKey: string };
  /** Public keys by `kid`. A token must name one of them; during a rotation old and new are both here. */
  readonly publicKeys: Readonly<Record<string, string>>;
}

export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const DEFAULT_TOKEN_ISSUER = 'auth-service';
export const DEFAULT_TOKEN_AUDIENCE = 'payment-platform';
export const MIN_HMAC_SECRET_LENGTH = 32;

/** Where the key material lives in the config store: service `auth-service`, key `jwt`. */
export const ACCESS_TOKEN_CONFIG_SERVICE = 'auth-service';
export const ACCESS_TOKEN_CONFIG_KEY = 'jwt';

/** Stored shape (also settable as JSON in `AUTH_SERVICE_JWT`). Secrets and private keys are sensitive paths. */
export interface AccessTokenConfig {
  algorithm: 'HS256' | 'RS256';
  secret?: string;
  previousSecrets?: string[];
  signingKey?: { kid: string; privateKey: string };
  publicKeys?: Record<string, string>;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
}

const accessTokenConfigSchema = type({
  algorithm: "'HS256' | 'RS256'",
  'secret?': 'string',
  'previousSecrets?': 'string[]',
  'signingKey?': { kid: 'string > 0', privateKey: 'string > 0' },
  'publicKeys?': 'Record<string, string>',
  issuer: 'string > 0',
  audience: 'string > 0',
  accessTokenTtlSeconds: 'number.integer > 0',
});

/** Registers the `auth-service`/`jwt` default (idempotent); both the auth-service and the gateway call it. */
export function registerAccessTokenConfigDefaults(): void {
  registerServiceConfigDefaults(ACCESS_TOKEN_CONFIG_SERVICE, {
    [ACCESS_TOKEN_CONFIG_KEY]: {
      value: {
        algorithm: 'HS256',
        issuer: DEFAULT_TOKEN_ISSUER,
        audience: DEFAULT_TOKEN_AUDIENCE,
        accessTokenTtlSeconds: DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
      } satisfies AccessTokenConfig,
      // Masked in every read that leaves the service, and never logged.
      sensitivePaths: ['jwt.secret', 'jwt.previousSecrets', 'jwt.signingKey'],
      schema: accessTokenConfigSchema as never,
      description: 'Access token keys: HS256 secret or RS256 key pair with kid',
    },
  });
}

export interface LoadAccessTokenKeysOptions {
  /** Default `process.env`. `JWT_SECRET` (and `JWT_PREVIOUS_SECRETS`, comma-separated) override the stored HS256 secret. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads the key material through the config store (env > stored > default, as everywhere) and
 * checks it. `JWT_SECRET` is honoured as the documented shortcut for the HS256 secret.
 */
export async function loadAccessTokenKeys(options: LoadAccessTokenKeysOptions = {}): Promise<AccessTokenKeys> {
  registerAccessTokenConfigDefaults();
  const env = options.env ?? process.env;
  const config = await getConfigWithDefault<AccessTokenConfig>(ACCESS_TOKEN_CONFIG_SERVICE, ACCESS_TOKEN_CONFIG_KEY);
  const secretFromEnv = env['JWT_SECRET'];
  const previousFromEnv = env['JWT_PREVIOUS_SECRETS'];
  return accessTokenKeysFromConfig({
    ...config,
    ...(secretFromEnv ? { algorithm: 'HS256' as const, secret: secretFromEnv } : {}),
    ...(previousFromEnv ? { previousSecrets: previousFromEnv.split(',').filter((s) => s.length > 0) } : {}),
  });
}

/** Validates a config value into keys; errors never include the secret. */
export function accessTokenKeysFromConfig(config: AccessTokenConfig): AccessTokenKeys {
  const common = {
    issuer: config.issuer,
    audience: config.audience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  };
  if (config.algorithm === 'HS256') {
    const secrets = [config.secret ?? '', ...(config.previousSecrets ?? [])];
    if (secrets.some((secret) => secret.length < MIN_HMAC_SECRET_LENGTH)) {
      throw new Error(`access token keys: HS256 secrets (JWT_SECRET) must be at least ${MIN_HMAC_SECRET_LENGTH} characters`);
    }
    return { algorithm: 'HS256', secret: config.secret as string, previousSecrets: config.previousSecrets ?? [], ...common };
  }
  const publicKeys = config.publicKeys ?? {};
  if (Object.keys(publicKeys).length === 0) throw new Error('access token keys: RS256 needs at least one public key');
  if (config.signingKey !== undefined && publicKeys[config.signingKey.kid] === undefined) {
    throw new Error(`access token keys: signing kid "${config.signingKey.kid}" has no public key`);
  }
  return {
    algorithm: 'RS256',
    publicKeys,
    ...(config.signingKey !== undefined ? { signingKey: config.signingKey } : {}),
    ...common,
  };
}
