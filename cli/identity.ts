/**
 * Who credentials are, without asking AWS: what `sts exec` puts in its command's environment (no secret),
 * and what `sts whoami` reads back from there or from the encrypted cache.
 */
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { IDENTITY_PATH } from './credential-server.js';
import type { Settings } from './settings.js';

type Env = Record<string, string | undefined>;

/** What `sts whoami` knows about a set of credentials. */
export interface Identity {
  /**
   * `cache` (this profile's cached credentials), `environment` (set by `sts exec`) or `server` (what
   * `sts exec --server` serves now, renewals included).
   */
  source: 'cache' | 'environment' | 'server';
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
  return identityOf(settings, credentials, now, 'cache');
}

/** `credentials` of `settings` described as `source`, never their secrets. */
export function identityOf(
  settings: Settings,
  credentials: Credentials,
  now: number,
  source: Identity['source'],
): Identity {
  return {
    source,
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

/**
 * Inside `sts exec --server` (STSFTW_EXEC, the container URI and token, no static keys): the identity of the
 * credentials being served, asked of the server (loopback; it renews nothing for this). Undefined elsewhere.
 */
export async function identityFromServer(env: Env): Promise<Identity | undefined> {
  const { AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } = env;
  if (env.STSFTW_EXEC !== '1' || env.AWS_ACCESS_KEY_ID || !uri || !token) return undefined;
  const { CliError, ExitCode } = await import('./errors.js');
  const failed = (why: string) =>
    new CliError(
      `The credentials endpoint of \`sts exec --server\` (${new URL(uri).origin}) did not describe them: ${why}.`,
      ExitCode.failure,
    );
  let answer: Response;
  try {
    answer = await fetch(new URL(IDENTITY_PATH, uri), { headers: { authorization: token } });
  } catch (error) {
    const { transportFailure } = await import('./transport-failure.js');
    throw failed(`${transportFailure(error).detail} (did the \`sts exec --server\` that started this shell end?)`);
  }
  const body = (await answer.json().catch(() => undefined)) as Identity | { Message?: string } | undefined;
  if (!answer.ok || !body || !('source' in body) || body.source !== 'server') {
    throw failed(`HTTP ${answer.status}${body && 'Message' in body && body.Message ? ` (${body.Message})` : ''}`);
  }
  return body;
}

const SOURCES: Record<Identity['source'], string> = {
  cache: 'the encrypted credential cache',
  environment: 'the environment (set by `sts exec`)',
  server: '`sts exec --server`, which renews them near expiry',
};

/** One field per line, as `sts status` shows a request. */
export function describeIdentity(identity: Identity): string {
  const rows: [string, string | undefined][] = [
    ['source', SOURCES[identity.source]],
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
