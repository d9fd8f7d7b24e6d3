/**
 * `sts console`: credentials → an AWS console sign-in URL through the federation endpoint (IAM User Guide,
 * "Enable custom identity broker access to the AWS console"): `getSigninToken` with the session as JSON,
 * then `login` with `Destination`, `Issuer` and the token. The URL signs whoever opens it in for the
 * token's 15 minutes: it is never logged, and only the command's own output shows it.
 */
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { CliError, ExitCode } from './errors.js';

type Env = Record<string, string | undefined>;

/** The sign-in and console hosts of a partition. */
export interface Partition {
  name: 'aws' | 'aws-cn' | 'aws-us-gov';
  signinHost: string;
  consoleHost: string;
}

/** `Issuer` of the login URL: where AWS sends someone whose console session ended (aws-vault sends its name). */
export const CONSOLE_ISSUER = 'stsftw';
/**
 * Test only: the federation endpoint's URL instead of the partition's (a fake that answers like AWS). Never
 * documented as a setting: pointing it elsewhere would hand the credentials to whatever answers there.
 */
export const FEDERATION_URL_VARIABLE = 'STSFTW_TEST_FEDERATION_URL';

const FEDERATION_TIMEOUT_MS = 15_000;

/** The partition of `region`: China (cn-*), GovCloud (us-gov-*), else the commercial one. */
export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) {
    return { name: 'aws-cn', signinHost: 'signin.amazonaws.cn', consoleHost: 'console.amazonaws.cn' };
  }
  if (region.startsWith('us-gov-')) {
    return {
      name: 'aws-us-gov',
      signinHost: 'signin.amazonaws-us-gov.com',
      consoleHost: 'console.amazonaws-us-gov.com',
    };
  }
  return { name: 'aws', signinHost: 'signin.aws.amazon.com', consoleHost: 'console.aws.amazon.com' };
}

/** The page to land on: `destination` as given, else the home of `service` (or the console's) in `region`. */
export function destinationUrl(region: string, options: { service?: string; destination?: string }): string {
  if (options.destination) return options.destination;
  const { consoleHost } = partitionOf(region);
  const path = options.service ? `${options.service}/home` : 'console/home';
  return `https://${region}.${consoleHost}/${path}?region=${encodeURIComponent(region)}`;
}

/** The federation endpoint for `region`, or the test's fake (loopback only: the credentials go there). */
export function federationUrl(region: string, env: Env): string {
  const override = env[FEDERATION_URL_VARIABLE];
  if (!override) return `https://${partitionOf(region).signinHost}/federation`;
  let host = '';
  try {
    host = new URL(override).hostname;
  } catch {
    // not a URL: refused below
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
    throw new CliError(`${FEDERATION_URL_VARIABLE} is for tests and must name a loopback address: unset it.`);
  }
  return override;
}

/** Asks the federation endpoint for a sign-in token for `credentials` (a secret: never shown but in the URL). */
export async function requestSigninToken(
  credentials: Credentials,
  endpoint: string,
  fetchImpl: typeof fetch = fetch,
): Promise<string> {
  const session = JSON.stringify({
    sessionId: credentials.AccessKeyId,
    sessionKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  });
  // No SessionDuration: AWS refuses it for role-chained sessions (the broker's are), and the console
  // session then lasts as long as the credentials do (aws-vault and Granted send none either).
  const url = `${endpoint}?${new URLSearchParams({ Action: 'getSigninToken', Session: session })}`;
  const host = new URL(endpoint).host;
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(FEDERATION_TIMEOUT_MS) });
  } catch {
    throw new CliError(
      `Cannot reach the AWS sign-in endpoint ${host}: check your network (and proxy), then try again.`,
      ExitCode.unavailable,
    );
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 500) {
    throw new CliError(
      `The AWS sign-in endpoint ${host} failed (HTTP ${response.status}): try again in a moment.`,
      ExitCode.unavailable,
    );
  }
  if (response.status !== 200) {
    throw new CliError(
      `The AWS sign-in endpoint ${host} refused these credentials (HTTP ${response.status}): they may have expired or been revoked. Run again with --no-cache for new ones.`,
      ExitCode.failure,
    );
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '') {
    throw new CliError(
      `The AWS sign-in endpoint ${host} answered without a sign-in token: try again, and report it if it persists.`,
      ExitCode.failure,
    );
  }
  return token;
}

/** The login URL: the federation endpoint with `Action=login`, the issuer, the destination and the token. */
export function loginUrl(endpoint: string, destination: string, signinToken: string): string {
  const query = new URLSearchParams({
    Action: 'login',
    Issuer: CONSOLE_ISSUER,
    Destination: destination,
    SigninToken: signinToken,
  });
  return `${endpoint}?${query}`;
}
