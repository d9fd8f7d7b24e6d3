/**
 * `sts exec --server`: the command reads its credentials from sts's loopback endpoint through botocore's and
 * the JS SDK's container providers (the bundle, against a fake broker); the token is checked on every call;
 * credentials near expiry are renewed, and a renewal that cannot happen fails with a sentence; `sts whoami`
 * inside describes the credentials being served, before and after a renewal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  describeRun,
  ensureBundle,
  type FakeBroker,
  makeUser,
  runCli,
  runSts,
  ScriptedTerminal,
  sampleCredentials,
  startFakeBroker,
  stsBin,
  type User,
} from '../support/cli-harness.js';

let root: string;
let broker: FakeBroker;
let user: User;

beforeAll(() => {
  ensureBundle();
}, 120_000);
afterEach(async () => {
  await broker.close();
  rmSync(root, { recursive: true, force: true });
});

async function setup(expiration: string, role = 'admin'): Promise<Record<string, string>> {
  root = mkdtempSync(join(tmpdir(), 'sts-exec-server-'));
  broker = await startFakeBroker({ plan: ['MINTED'], credentials: sampleCredentials(expiration) });
  user = makeUser(root, 'alice');
  return {
    STS_ENDPOINT: broker.url,
    STS_ISSUER: 'acme',
    STS_ACCOUNT_NAME: 'alice',
    STS_ROLE: role,
    AWS_ACCESS_KEY_ID: 'AKIAOUTERKEY', // the outer environment's keys must not reach the command
    AWS_SECRET_ACCESS_KEY: 'outer',
  };
}

const botocore = `
import json, os, urllib.request, urllib.error
import botocore.session
c = botocore.session.get_session().get_credentials()
account = c.account_id
c = c.get_frozen_credentials()
def status(headers):
    try:
        return urllib.request.urlopen(urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'], headers=headers)).status
    except urllib.error.HTTPError as e:
        return e.code
print(json.dumps({'key': c.access_key, 'secret': c.secret_key, 'token': c.token,
  'static': os.environ.get('AWS_ACCESS_KEY_ID'), 'uri': os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'],
  'authToken': os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN'], 'account': account,
  'none': status({}), 'wrong': status({'Authorization': 'x' * 43})}))
`;

describe('sts exec --server', () => {
  it('serves botocore’s container provider, checks the token, and sets no static keys', async () => {
    const extra = await setup(new Date(Date.now() + 3600_000).toISOString());
    const run = await runSts(
      ['exec', '--server', '--totp-code', '123456', '--', 'python3', '-c', botocore],
      user,
      extra,
    );
    expect(run.code, describeRun(run)).toBe(0);
    const seen = JSON.parse(run.stdout);
    const expected = sampleCredentials();
    expect(seen).toMatchObject({
      key: expected.AccessKeyId,
      secret: expected.SecretAccessKey,
      token: expected.SessionToken,
      static: null,
      none: 403,
      wrong: 403,
      account: null, // the role is a name: the AWS account is not known, so none is served
    });
    expect(seen.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/credentials$/);
    expect(seen.authToken).toMatch(/^[\w-]{43}$/); // 32 random bytes, base64url
    expect(run.stderr).not.toContain(seen.authToken);
  });

  it('serves AccountId when the role is an ARN: botocore and the JS SDK’s fromContainerMetadata read it', async () => {
    const extra = await setup(new Date(Date.now() + 3600_000).toISOString(), 'arn:aws:iam::123456789012:role/admin');
    const boto = await runSts(
      ['exec', '--server', '--totp-code', '123456', '--', 'python3', '-c', botocore],
      user,
      extra,
    );
    expect(boto.code, describeRun(boto)).toBe(0);
    expect(JSON.parse(boto.stdout).account).toBe('123456789012');
    const script = `import { fromContainerMetadata } from '@aws-sdk/credential-providers';
      const c = await fromContainerMetadata({})();
      console.log(JSON.stringify({ id: c.accessKeyId, account: c.accountId }));`;
    const js = await runSts(
      ['exec', '--server', '--', process.execPath, '--input-type=module', '-e', script],
      user,
      extra,
    );
    expect(js.code, describeRun(js)).toBe(0);
    expect(JSON.parse(js.stdout)).toEqual({ id: sampleCredentials().AccessKeyId, account: '123456789012' });
  });

  it('serves the JS SDK’s fromHttp provider', async () => {
    const extra = await setup(new Date(Date.now() + 3600_000).toISOString());
    const script = `import { fromHttp } from '@aws-sdk/credential-providers';
      const c = await fromHttp({})();
      console.log(JSON.stringify({ id: c.accessKeyId, token: c.sessionToken, expires: c.expiration instanceof Date }));`;
    const run = await runSts(
      ['exec', '--server', '--totp-code', '123456', '--', process.execPath, '--input-type=module', '-e', script],
      user,
      extra,
    );
    expect(run.code, describeRun(run)).toBe(0);
    const expected = sampleCredentials();
    expect(JSON.parse(run.stdout)).toEqual({ id: expected.AccessKeyId, token: expected.SessionToken, expires: true });
  });

  it('renews credentials with less than five minutes left, asking the terminal for a new code', async () => {
    const extra = await setup(new Date(Date.now() + 120_000).toISOString());
    const terminal = new ScriptedTerminal(() => '654321');
    const result = await runCli(
      ['exec', '--server', '--totp-code', '123456', '--', 'python3', '-c', botocore],
      {
        ...user.env,
        ...extra,
      },
      { terminal },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).key).toBe(sampleCredentials().AccessKeyId);
    // Each answer has two minutes left, and botocore refreshes such credentials at once: a code per renewal.
    expect(terminal.asked.length).toBeGreaterThanOrEqual(1);
    expect(terminal.asked.every((prompt) => prompt.hidden && prompt.question.includes('TOTP code'))).toBe(true);
    const posts = broker.calls.filter((call) => call.method === 'POST');
    expect(posts).toHaveLength(1 + terminal.asked.length);
  });

  it('without a terminal a renewal fails: the SDK gets an error and stderr says why', async () => {
    const extra = await setup(new Date(Date.now() + 120_000).toISOString());
    const run = await runSts(
      ['exec', '--server', '--totp-code', '123456', '--', 'python3', '-c', botocore],
      user,
      extra,
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('could not renew the credentials');
    expect(run.stderr).toContain('TOTP code');
  });

  it('sts whoami inside describes the credentials being served, and the renewed ones after a renewal', async () => {
    const extra = await setup(new Date(Date.now() + 120_000).toISOString());
    // The command: whoami, a credentials call (renews: two minutes left), whoami again.
    const script = `import { execFileSync } from 'node:child_process';
      const whoami = () => JSON.parse(execFileSync(process.execPath, [${JSON.stringify(stsBin)}, 'whoami', '--json'], { encoding: 'utf8' }));
      const before = whoami();
      const served = await fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, {
        headers: { authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN },
      });
      const text = execFileSync(process.execPath, [${JSON.stringify(stsBin)}, 'whoami'], { encoding: 'utf8' });
      console.log(JSON.stringify({ before, status: served.status, after: whoami(), text }));`;
    const terminal = new ScriptedTerminal(() => '654321');
    const result = await runCli(
      ['exec', '--server', '--totp-code', '123456', '--', process.execPath, '--input-type=module', '-e', script],
      { ...user.env, ...extra },
      { terminal },
    );
    expect(result.code, result.stderr).toBe(0);
    const [first, second] = [...broker.requests.keys()];
    expect(second).toBeDefined();
    const seen = JSON.parse(result.stdout);
    expect(seen.status).toBe(200);
    expect(seen.before).toMatchObject({
      source: 'server',
      profile: 'default',
      issuer: 'acme',
      role: 'admin',
      requestId: first,
    });
    expect(seen.after).toMatchObject({ source: 'server', requestId: second });
    expect(seen.text).toContain('`sts exec --server`, which renews them near expiry');
    expect(seen.text).toContain(`request      ${second}`);
    expect(result.stdout).not.toContain(sampleCredentials().SecretAccessKey);
  });
});
