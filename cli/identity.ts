/**
 * Who credentials are, without asking AWS: what `sts exec` puts in its command's environment (no secret),
 * and what `sts whoami` reads back from there or from the encrypted cache.
 */
import type { CachedCredentials as Credentials } from './credential-cache.js';
import type { Settings } from './settings.js';

type Env = Record<string, string | undefined>;

/** What `sts whoami` knows about a set of credentials. */
export interface Identity {
  /** `cache` (this profile's cached credentials) or `environment` (set by `sts exec`). */
  source: 'cache' | 'environment';
  profile?: string;
  issuer?: string;
  accountName?: string;
  role?: string;
  /** The AWS account, when the role is given as an ARN. */
  awsAccount?: string;
  requestId?: string;
  approvers?: string[];
  expiration?: string;
  /** Already past its expiry when asked. */
  expired: boolean;
}

/** The identity variables for the command of `sts exec` (undefined: unknown, removed from the environment). */
export function identityEnv(settings: Settings, credentials: Credentials): Record<string, string | undefined> {
  return {
    STSFTW_PROFILE: settings.profileName,
    STSFTW_ISSUER: settings.issuer,
    STSFTW_ACCOUNT_NAME: settings.accountName,
    STSFTW_ROLE: settings.role,
    STSFTW_REQUEST_ID: credentials.origin?.requestId,
    STSFTW_APPROVERS: credentials.origin ? credentials.origin.approvers.join(',') : undefined,
  };
}

/** The AWS account of a role ARN (`arn:aws:iam::123456789012:role/…`), else undefined. */
export function accountOfRole(role: string | undefined): string | undefined {
  return role ? /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(role)?.[1] : undefined;
}

function expired(expiration: string | undefined, now: number): boolean {
  return expiration !== undefined && Date.parse(expiration) <= now;
}

/** The environment's credentials as `sts exec` described them, or undefined when it set none. */
export function identityFromEnv(env: Env, now: number): Identity | undefined {
  if (!env.AWS_ACCESS_KEY_ID || env.STSFTW_EXEC !== '1') return undefined;
  const approvers = env.STSFTW_APPROVERS;
  return {
    source: 'environment',
    profile: env.STSFTW_PROFILE || undefined,
    issuer: env.STSFTW_ISSUER || undefined,
    accountName: env.STSFTW_ACCOUNT_NAME || undefined,
    role: env.STSFTW_ROLE || undefined,
    awsAccount: accountOfRole(env.STSFTW_ROLE),
    requestId: env.STSFTW_REQUEST_ID || undefined,
    approvers: approvers === undefined ? undefined : approvers.split(',').filter(Boolean),
    expiration: env.AWS_CREDENTIAL_EXPIRATION || undefined,
    expired: expired(env.AWS_CREDENTIAL_EXPIRATION, now),
  };
}

/** The cached credentials of `settings` described (never their secrets). */
export function identityFromCache(
  settings: Settings & { issuer: string; accountName: string; role: string },
  credentials: Credentials,
  now: number,
): Identity {
  return {
    source: 'cache',
    profile: settings.profileName,
    issuer: settings.issuer,
    accountName: settings.accountName,
    role: settings.role,
    awsAccount: accountOfRole(settings.role),
    requestId: credentials.origin?.requestId,
    approvers: credentials.origin?.approvers,
    expiration: credentials.Expiration,
    expired: expired(credentials.Expiration, now),
  };
}

/** One field per line, as `sts status` shows a request. */
export function describeIdentity(identity: Identity): string {
  const rows: [string, string | undefined][] = [
    ['source', identity.source === 'cache' ? 'the encrypted credential cache' : 'the environment (set by `sts exec`)'],
    ['profile', identity.profile],
    ['issuer', identity.issuer],
    ['account', identity.accountName],
    ['role', identity.role],
    ['aws account', identity.awsAccount],
    ['request', identity.requestId ?? 'not recorded (cached by an older sts)'],
    [
      'approved by',
      identity.approvers === undefined
        ? 'not recorded (cached by an older sts)'
        : identity.approvers.join(', ') || 'nobody (the role needs no approval)',
    ],
    ['expires', identity.expiration && `${identity.expiration}${identity.expired ? ' (expired)' : ''}`],
  ];
  return rows
    .filter(([, value]) => value)
    .map(([label, value]) => `${label.padEnd(12)} ${value}`)
    .join('\n');
}
