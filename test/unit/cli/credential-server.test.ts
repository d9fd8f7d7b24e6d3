/**
 * The endpoint of `sts exec --server`, called over HTTP as the SDKs call it: the exact fields of a credentials
 * answer, the token on every call (403 without or wrong, as aws-vault), renewal near expiry, `/identity`, and
 * no token or secret in any error or log line.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CachedCredentials } from '../../../cli/credential-cache.js';
import { type CredentialServer, servedCredentials, startCredentialServer } from '../../../cli/credential-server.js';

const NOW = Date.parse('2030-01-01T00:00:00.000Z');
const credentials = (n: number, expiresInMs: number): CachedCredentials => ({
  AccessKeyId: `ASIAKEY${n}`,
  SecretAccessKey: `secret/${n}`,
  SessionToken: `session-token-${n}`,
  Expiration: new Date(NOW + expiresInMs).toISOString(),
  origin: { requestId: `r_request${n}`, approvers: ['bob'] },
});

let server: CredentialServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  vi.restoreAllMocks();
});

async function start(
  first: CachedCredentials,
  renew = vi.fn(async () => credentials(2, 3600_000)),
  accountId?: string,
) {
  const onError = vi.fn();
  server = await startCredentialServer({
    first,
    renew,
    onError,
    describe: (served, now) => ({ source: 'server', requestId: served.origin?.requestId, now }),
    accountId,
    now: () => NOW,
  });
  const { AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: token } = server.env;
  const call = async (path = new URL(uri).pathname, authorization: string | null = token) => {
    const response = await fetch(new URL(path, uri), { headers: authorization ? { authorization } : {} });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    };
  };
  return { call, token, renew, onError };
}

describe('sts exec --server endpoint', () => {
  it('answers exactly AccessKeyId, SecretAccessKey, Token and Expiration (RFC 3339, UTC)', async () => {
    const { call } = await start(credentials(1, 3600_000));
    const answer = await call();
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('application/json');
    expect(answer.body).toStrictEqual({
      AccessKeyId: 'ASIAKEY1',
      SecretAccessKey: 'secret/1',
      Token: 'session-token-1',
      Expiration: '2030-01-01T01:00:00.000Z',
    });
  });

  it('adds AccountId only when the account is known (a role ARN), and never RoleArn', async () => {
    const { call } = await start(credentials(1, 3600_000), undefined, '123456789012');
    expect(Object.keys((await call()).body).sort()).toEqual([
      'AccessKeyId',
      'AccountId',
      'Expiration',
      'SecretAccessKey',
      'Token',
    ]);
    expect((await call()).body.AccountId).toBe('123456789012');
    // An expiry written with an offset is served in UTC, as the JS SDK's fromHttp requires.
    const offset = { ...credentials(1, 0), Expiration: '2030-01-01T02:00:00+01:00' };
    expect(servedCredentials(offset).Expiration).toBe('2030-01-01T01:00:00.000Z');
  });

  it('answers 403 without the token, with another one, and with the token of another server', async () => {
    const { call, token } = await start(credentials(1, 3600_000));
    const other = await startCredentialServer({
      first: credentials(9, 3600_000),
      renew: async () => credentials(9, 3600_000),
      onError: () => {},
      describe: () => ({}),
    });
    try {
      for (const wrong of [null, 'x'.repeat(token.length), `${token}x`, other.env.AWS_CONTAINER_AUTHORIZATION_TOKEN]) {
        const answer = await call(undefined, wrong);
        expect(answer.status).toBe(403);
        expect(answer.body).toEqual({ Code: 'forbidden', Message: expect.stringContaining('Authorization') });
        expect(JSON.stringify(answer.body)).not.toContain(token);
        if (wrong) expect(JSON.stringify(answer.body)).not.toContain(wrong);
      }
      expect((await call('/identity', 'nope')).status).toBe(403);
    } finally {
      await other.close();
    }
  });

  it('renews credentials with less than five minutes left, once for calls that arrive together', async () => {
    const { call, renew } = await start(credentials(1, 4 * 60_000));
    const answers = await Promise.all([call(), call(), call()]);
    expect(answers.map((answer) => answer.body.AccessKeyId)).toEqual(['ASIAKEY2', 'ASIAKEY2', 'ASIAKEY2']);
    expect(renew).toHaveBeenCalledTimes(1);
    expect((await call()).body.AccessKeyId).toBe('ASIAKEY2');
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it('a failed renewal is a 500 with a sentence and goes to onError; nothing is logged', async () => {
    const log = vi.spyOn(console, 'log');
    const error = vi.spyOn(console, 'error');
    const failure = new Error('a TOTP code is needed and there is no terminal to ask');
    const { call, token, onError } = await start(
      credentials(1, 60_000),
      vi.fn(async () => {
        throw failure;
      }),
    );
    const answer = await call();
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ Code: 'renewal_failed', Message: expect.stringContaining('could not renew') });
    expect(onError).toHaveBeenCalledWith(failure);
    expect(JSON.stringify(onError.mock.calls)).not.toContain(token);
    expect(log).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('describes the credentials being served on /identity, without renewing them', async () => {
    const { call, renew } = await start(credentials(1, 4 * 60_000));
    expect((await call('/identity')).body).toEqual({ source: 'server', requestId: 'r_request1', now: NOW });
    expect(renew).not.toHaveBeenCalled();
    await call(); // renews
    expect((await call('/identity')).body).toEqual({ source: 'server', requestId: 'r_request2', now: NOW });
    expect((await call('/elsewhere')).status).toBe(404);
  });
});
