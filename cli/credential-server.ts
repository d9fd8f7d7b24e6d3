/**
 * `sts exec --server`: the credentials on a loopback HTTP endpoint in the shape the SDKs' container
 * credentials provider reads (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN`;
 * botocore and the JS SDK accept plain http only for loopback hosts).
 *
 * - `GET /credentials`: `{AccessKeyId, SecretAccessKey, Token, Expiration}` (all four required by the JS SDK's
 *   `fromHttp` and `fromContainerMetadata`, read by botocore's ContainerProvider), plus `AccountId` when the
 *   account is known for certain (a role ARN's): botocore and `fromContainerMetadata` read it, for
 *   account-based endpoints. No `RoleArn`: no SDK reads it (aws-vault's ecsserver serves the four).
 *   Credentials with less than five minutes left are renewed first (`renew`, which may ask for a new code);
 *   when that fails the call answers 500 and `onError` is told why.
 * - `GET /identity`: who the credentials being served are (no secret, no renewal), for `sts whoami`.
 *
 * Every call must carry the token in `Authorization`: 403 without it or with another (as aws-vault), compared
 * in constant time. Errors are `{Code, Message}` (the JS SDK reads both from a 4xx; botocore shows the body).
 * Nothing here logs, and no answer repeats what the caller sent.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CachedCredentials as Credentials } from './credential-cache.js';

/** Renew credentials with less than this left. */
export const RENEW_BEFORE_MS = 5 * 60_000;

/** The path of the credentials (the child's AWS_CONTAINER_CREDENTIALS_FULL_URI) and of their description. */
export const CREDENTIALS_PATH = '/credentials';
export const IDENTITY_PATH = '/identity';

export interface CredentialServerOptions {
  first: Credentials;
  /** New credentials (the cache, else a new request). */
  renew: () => Promise<Credentials>;
  /** A renewal failed (the reason, for the person's terminal). */
  onError: (error: unknown) => void;
  /** The non-secret description of the credentials being served, answered on GET /identity. */
  describe: (credentials: Credentials, now: number) => object;
  /** The AWS account of the credentials, only when certain (served as AccountId). */
  accountId?: string;
  now?: () => number;
}

export interface CredentialServer {
  /** The child's AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: string; AWS_CONTAINER_AUTHORIZATION_TOKEN: string };
  close(): Promise<void>;
}

/** Exactly what GET /credentials answers for `credentials`. */
export function servedCredentials(credentials: Credentials, accountId?: string): Record<string, string> {
  const expiration = new Date(credentials.Expiration);
  return {
    AccessKeyId: credentials.AccessKeyId,
    SecretAccessKey: credentials.SecretAccessKey,
    Token: credentials.SessionToken,
    // RFC 3339 in UTC, as the JS SDK's fromHttp insists on.
    Expiration: Number.isNaN(expiration.getTime()) ? credentials.Expiration : expiration.toISOString(),
    ...(accountId ? { AccountId: accountId } : {}),
  };
}

export async function startCredentialServer(options: CredentialServerOptions): Promise<CredentialServer> {
  const now = options.now ?? Date.now;
  const token = randomBytes(32).toString('base64url');
  let current = options.first;
  let renewing: Promise<Credentials> | undefined;
  const fresh = async (): Promise<Credentials> => {
    if (Date.parse(current.Expiration) - now() >= RENEW_BEFORE_MS) return current;
    renewing ??= options.renew().finally(() => {
      renewing = undefined;
    });
    current = await renewing;
    return current;
  };
  const authorized = (given: string | undefined) => {
    const expected = Buffer.from(token);
    const actual = Buffer.from(given ?? '');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
  const server = createServer((request, response) => {
    const answer = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const fail = (status: number, code: string, message: string) => answer(status, { Code: code, Message: message });
    if (!authorized(request.headers.authorization)) {
      return request.headers.authorization
        ? fail(403, 'forbidden', 'wrong Authorization: send AWS_CONTAINER_AUTHORIZATION_TOKEN')
        : fail(403, 'forbidden', 'no Authorization: send AWS_CONTAINER_AUTHORIZATION_TOKEN');
    }
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method !== 'GET') return fail(405, 'method_not_allowed', 'only GET is served');
    if (path === IDENTITY_PATH) return answer(200, options.describe(current, now()));
    if (path !== CREDENTIALS_PATH) return fail(404, 'not_found', `sts serves ${CREDENTIALS_PATH} and ${IDENTITY_PATH}`);
    fresh().then(
      (credentials) => answer(200, servedCredentials(credentials, options.accountId)),
      (error: unknown) => {
        options.onError(error);
        fail(500, 'renewal_failed', 'sts could not renew the credentials: see its stderr');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
