/**
 * Bearer tokens for the HTTP APIs that need a caller's identity (the jobs
 * API of seed 002): verification with jose, keys from EVENTYARD_JWT_*.
 *
 * HS256 tokens are checked with EVENTYARD_JWT_SECRET; RS256 tokens with
 * EVENTYARD_JWT_PUBLIC_KEY (PEM) or the keys at EVENTYARD_JWT_JWKS_URL.
 * Once an RS256 key is configured, HS256 is accepted only if a secret was
 * set explicitly, so the documented development secret never opens a
 * deployment that signs its tokens elsewhere. That default is refused
 * outright when the server listens on anything but loopback.
 *
 * A missing or unreadable token, a bad signature or an expired one is
 * `UnauthorizedError` (401); an authentic token for another audience, or
 * without the claims that name the caller, is `ForbiddenError` (403).
 */
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import { ConfigError, ForbiddenError, UnauthorizedError } from '../core/errors.ts';
import { describeSettings, parsePrefixedSettings, wholeNumber } from './settings.ts';

const PREFIX = 'EVENTYARD_JWT_';
/** Documented, so refused anywhere but loopback. */
export const DEV_JWT_SECRET = 'eventyard-development-jwt-secret';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

export const jwtConfigSchema = z.object({
  EVENTYARD_JWT_SECRET: z
    .string()
    .min(16, { error: 'must be at least 16 characters' })
    .optional()
    .describe(
      'Secret of HS256 tokens (default: a documented development secret, refused off loopback)',
    ),
  EVENTYARD_JWT_PUBLIC_KEY: z
    .string()
    .includes('BEGIN PUBLIC KEY', { error: 'must be a PEM public key (SPKI)' })
    .optional()
    .describe('PEM public key of RS256 tokens'),
  EVENTYARD_JWT_JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .describe('URL of the JSON Web Key Set of RS256 tokens'),
  EVENTYARD_JWT_AUDIENCE: z
    .string()
    .min(1)
    .default('com.company.jobservice')
    .describe("Audience (`aud`) a token must name (the seed's by default)"),
  EVENTYARD_JWT_ISSUER: z.string().min(1).optional().describe('Issuer (`iss`) a token must name'),
  EVENTYARD_JWT_REQUIRE_EXP: flag
    .default(true)
    .describe(
      "Refuse tokens without `exp` (false accepts them, as the seed's example token has none)",
    ),
  EVENTYARD_JWT_CLOCK_TOLERANCE_SECONDS: wholeNumber(0, 300)
    .default(5)
    .describe('Clock skew allowed when checking `exp` and `nbf`, seconds'),
});

export interface JwtConfig {
  /** The HS256 secret, or undefined when HS256 is not accepted. */
  readonly secret: string | undefined;
  /** True when the secret is the documented development default. */
  readonly developmentSecret: boolean;
  readonly publicKeyPem: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly audience: string;
  readonly issuer: string | undefined;
  readonly requireExp: boolean;
  readonly clockToleranceSeconds: number;
}

export function loadJwtConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): JwtConfig {
  const v = parsePrefixedSettings(jwtConfigSchema, env, PREFIX, { emptyIsUnset: true });
  const rs256 = v.EVENTYARD_JWT_PUBLIC_KEY !== undefined || v.EVENTYARD_JWT_JWKS_URL !== undefined;
  if (v.EVENTYARD_JWT_PUBLIC_KEY && v.EVENTYARD_JWT_JWKS_URL) {
    throw new ConfigError('set EVENTYARD_JWT_PUBLIC_KEY or EVENTYARD_JWT_JWKS_URL, not both', {
      path: 'EVENTYARD_JWT_JWKS_URL',
    });
  }
  const secret = v.EVENTYARD_JWT_SECRET ?? (rs256 ? undefined : DEV_JWT_SECRET);
  return {
    secret,
    developmentSecret: secret === DEV_JWT_SECRET,
    publicKeyPem: v.EVENTYARD_JWT_PUBLIC_KEY,
    jwksUrl: v.EVENTYARD_JWT_JWKS_URL,
    audience: v.EVENTYARD_JWT_AUDIENCE,
    issuer: v.EVENTYARD_JWT_ISSUER,
    requireExp: v.EVENTYARD_JWT_REQUIRE_EXP,
    clockToleranceSeconds: v.EVENTYARD_JWT_CLOCK_TOLERANCE_SECONDS,
  };
}

export function describeJwtConfig(): Array<{
  name: string;
  description: string;
  default: unknown;
}> {
  return describeSettings(jwtConfigSchema);
}

/** Refuses the development secret when the server listens on `host` off loopback. */
export function checkJwtSecretFor(config: JwtConfig, host: string): void {
  if (config.developmentSecret && !LOOPBACK.has(host)) {
    throw new ConfigError(
      `EVENTYARD_JWT_SECRET is unset, so the documented development secret would sign tokens, refused while the server listens on ${host}: set your own secret or an RS256 key`,
      { path: 'EVENTYARD_JWT_SECRET' },
    );
  }
}

/** Who is calling, from a verified token's claims. */
export interface Caller {
  /** `tid`: whose data the caller sees. */
  readonly tenantId: string;
  /** `oid`: the calling client or user object. */
  readonly clientId: string;
  /** `sub`, when there is one. */
  readonly subject: string | undefined;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<Caller>;

/** A verifier for `Authorization` header values: the bare token (as the seed sends it) or `Bearer <token>`. */
export async function createTokenVerifier(config: JwtConfig): Promise<TokenVerifier> {
  const secret = config.secret === undefined ? undefined : new TextEncoder().encode(config.secret);
  const rsaKey = config.publicKeyPem ? await importSPKI(config.publicKeyPem, 'RS256') : undefined;
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(rsaKey || jwks ? ['RS256'] : [])];
  const key: JWTVerifyGetKey = (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if (header.alg === 'RS256' && rsaKey) return rsaKey;
    if (header.alg === 'RS256' && jwks) return jwks(header, token);
    throw new UnauthorizedError(
      `token algorithm ${header.alg} is not accepted (accepted: ${algorithms.join(', ')})`,
      { path: 'authorization' },
    );
  };
  const verified = new VerifiedTokens();
  return async (authorization) => {
    const token = tokenOf(authorization);
    const known = verified.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms,
        audience: config.audience,
        ...(config.issuer ? { issuer: config.issuer } : {}),
        clockTolerance: config.clockToleranceSeconds,
        ...(config.requireExp ? { requiredClaims: ['exp'] } : {}),
      }));
    } catch (error) {
      throw refusalOf(error, config);
    }
    const caller = callerOf(payload);
    verified.add(token, caller, payload.exp);
    return caller;
  };
}

/**
 * Tokens verified in the last minute, so a client sending the same token
 * with every request pays for the signature once (it is most of a small
 * request's cost). An entry never outlives its token's `exp`; a key removed
 * from the JWKS stops a token within a minute.
 */
class VerifiedTokens {
  static readonly TTL_MS = 60_000;
  static readonly MAX = 10_000;
  readonly #entries = new Map<string, { caller: Caller; until: number }>();

  get(token: string): Caller | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.caller;
    this.#entries.delete(token);
    return undefined;
  }

  add(token: string, caller: Caller, exp: number | undefined): void {
    const until = Math.min(
      Date.now() + VerifiedTokens.TTL_MS,
      exp === undefined ? Infinity : exp * 1000,
    );
    // Oldest first: a Map iterates in insertion order.
    if (this.#entries.size >= VerifiedTokens.MAX)
      this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { caller, until });
  }
}

function tokenOf(authorization: string | undefined): string {
  const value = authorization?.trim();
  if (!value) {
    throw new UnauthorizedError('the Authorization header with a JWT is missing', {
      path: 'authorization',
    });
  }
  const token = /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) {
    throw new UnauthorizedError('the Authorization header does not hold a JWT', {
      path: 'authorization',
    });
  }
  return token;
}

function refusalOf(error: unknown, config: JwtConfig): Error {
  if (error instanceof UnauthorizedError) return error;
  const details = { path: 'authorization' };
  if (error instanceof errors.JWTExpired) {
    return new UnauthorizedError('the token has expired', details);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') {
      return new ForbiddenError(`the token is not for audience ${config.audience}`, details);
    }
    if (error.claim === 'iss') {
      return new ForbiddenError(`the token is not from issuer ${config.issuer}`, details);
    }
    return new UnauthorizedError(`the token's ${error.claim} claim is refused: ${error.reason}`, {
      ...details,
      claim: error.claim,
    });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new UnauthorizedError('the token signature does not verify', details);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new UnauthorizedError('the token algorithm is not accepted', details);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new UnauthorizedError('no key of the JWKS matches the token', details);
  }
  if (error instanceof errors.JOSEError) {
    return new UnauthorizedError(`the token is not a valid JWT: ${error.message}`, details);
  }
  return error as Error;
}

/** `tid` and `oid` as strings (the seed's token has numbers). */
function callerOf(payload: JWTPayload): Caller {
  const claim = (name: string): string => {
    const value = payload[name];
    if ((typeof value === 'string' && value !== '') || Number.isSafeInteger(value)) {
      return String(value);
    }
    throw new ForbiddenError(`the token has no ${name} claim naming the caller`, {
      path: `authorization.${name}`,
    });
  };
  return {
    tenantId: claim('tid'),
    clientId: claim('oid'),
    subject: typeof payload.sub === 'string' ? payload.sub : undefined,
  };
}

export interface TokenClaims {
  readonly tenantId: string;
  readonly clientId: string;
  readonly subject?: string;
  /** Lifetime in jose's time span notation ('1h', '30m', '7d'). */
  readonly expiresIn: string;
}

/** A development token signed with the HS256 secret, in the seed's claims (`tid`, `oid`, `aud`). */
export async function signToken(config: JwtConfig, claims: TokenClaims): Promise<string> {
  if (config.secret === undefined) {
    throw new ConfigError('no EVENTYARD_JWT_SECRET to sign HS256 tokens with', {
      path: 'EVENTYARD_JWT_SECRET',
    });
  }
  const number = (value: string) => (/^\d{1,15}$/.test(value) ? Number(value) : value);
  const token = new SignJWT({ tid: number(claims.tenantId), oid: number(claims.clientId) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject ?? String(claims.clientId))
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn);
  if (config.issuer) token.setIssuer(config.issuer);
  return token.sign(new TextEncoder().encode(config.secret));
}
