/**
 * `sts exec --server`: the credentials on a loopback HTTP endpoint in the shape the SDKs' container
 * credentials provider reads (`AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN`;
 * botocore and the JS SDK accept plain http only for loopback hosts). Every call must carry the token (401
 * without, 403 when wrong, compared in constant time). Credentials with less than five minutes left are
 * renewed first (`renew`, which may ask for a new code); when that fails the call answers 500 with the reason.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CachedCredentials as Credentials } from './credential-cache.js';

/** Renew credentials with less than this left. */
export const RENEW_BEFORE_MS = 5 * 60_000;

export interface CredentialServer {
  /** The child's AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN. */
  env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: string; AWS_CONTAINER_AUTHORIZATION_TOKEN: string };
  close(): Promise<void>;
}

export async function startCredentialServer(
  first: Credentials,
  renew: () => Promise<Credentials>,
  onError: (error: unknown) => void,
  now: () => number = Date.now,
): Promise<CredentialServer> {
  const token = randomBytes(32).toString('base64url');
  let current = first;
  let renewing: Promise<Credentials> | undefined;
  const fresh = async (): Promise<Credentials> => {
    if (Date.parse(current.Expiration) - now() >= RENEW_BEFORE_MS) return current;
    renewing ??= renew().finally(() => {
      renewing = undefined;
    });
    current = await renewing;
    return current;
  };
  const server = createServer((request, response) => {
    const answer = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    const given = request.headers.authorization;
    if (!given) return answer(401, { code: 'unauthorized', message: 'AWS_CONTAINER_AUTHORIZATION_TOKEN missing' });
    const expected = Buffer.from(token);
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      return answer(403, { code: 'forbidden', message: 'wrong authorization token' });
    }
    fresh().then(
      (c) =>
        answer(200, {
          AccessKeyId: c.AccessKeyId,
          SecretAccessKey: c.SecretAccessKey,
          Token: c.SessionToken,
          Expiration: c.Expiration,
        }),
      (error: unknown) => {
        onError(error);
        answer(500, { code: 'renewal_failed', message: 'sts could not renew the credentials: see its stderr' });
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
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
