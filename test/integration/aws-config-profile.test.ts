/**
 * `sts configure --aws-profile`: the profile it writes into ~/.aws/config is read by botocore and by the
 * AWS SDK for JavaScript's `fromIni`, which run our credential_process (the bundle, against a fake broker).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeRun,
  ensureBundle,
  type FakeBroker,
  makeUser,
  runProcess,
  runSts,
  sampleCredentials,
  startFakeBroker,
  type User,
} from '../support/cli-harness.js';

let root: string;
let broker: FakeBroker;
let user: User;

beforeAll(async () => {
  ensureBundle();
  root = mkdtempSync(join(tmpdir(), 'sts aws config '));
  broker = await startFakeBroker({ plan: ['MINTED'], credentials: sampleCredentials() });
  user = makeUser(root, 'alice');
}, 120_000);
afterAll(async () => {
  await broker.close();
  rmSync(root, { recursive: true, force: true });
});

describe('sts configure --aws-profile, read by the AWS SDKs', () => {
  it('gives botocore and fromIni the broker’s credentials and the region, other profiles kept', async () => {
    const configFile = join(user.home, '.aws', 'config');
    mkdirSync(join(user.home, '.aws'));
    writeFileSync(configFile, '# mine\n[profile other]\nregion = ap-south-1\n');
    const env = { ...user.env, AWS_CONFIG_FILE: configFile };
    const setup = [
      'configure',
      ...['--profile', 'work', '--endpoint', broker.url, '--issuer', 'acme', '--account-name', 'alice'],
      ...['--role', 'admin', '--region', 'eu-west-3', '--aws-profile', 'work-admin'],
    ];
    const configured = await runSts(setup, user, { AWS_CONFIG_FILE: configFile });
    expect(configured.code, describeRun(configured)).toBe(0);
    // One request with a code fills the cache; the SDKs' credential_process runs are answered from it.
    const got = await runSts(
      ['get', '--profile', 'work', '--totp-code', '123456', '--format', 'credential-process'],
      user,
    );
    expect(got.code, describeRun(got)).toBe(0);

    const boto = await runProcess(
      'python3',
      [
        '-c',
        [
          'import botocore.session',
          "s = botocore.session.Session(profile='work-admin')",
          'c = s.get_credentials().get_frozen_credentials()',
          "print(c.access_key); print(c.secret_key); print(c.token); print(s.get_config_variable('region'))",
          "print(botocore.session.Session(profile='other').get_config_variable('region'))",
        ].join('\n'),
      ],
      env,
    );
    expect(boto.code, describeRun(boto)).toBe(0);
    const expected = sampleCredentials();
    expect(boto.stdout.trim().split('\n')).toEqual([
      expected.AccessKeyId,
      expected.SecretAccessKey,
      expected.SessionToken,
      'eu-west-3',
      'ap-south-1',
    ]);

    const sdk = await runProcess(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { fromIni } from '@aws-sdk/credential-providers';
         const c = await fromIni({ profile: 'work-admin' })();
         console.log(JSON.stringify({ id: c.accessKeyId, token: c.sessionToken, expires: c.expiration instanceof Date }));`,
      ],
      env,
    );
    expect(sdk.code, describeRun(sdk)).toBe(0);
    expect(JSON.parse(sdk.stdout)).toEqual({ id: expected.AccessKeyId, token: expected.SessionToken, expires: true });
    expect(broker.calls.filter((call) => call.method === 'POST')).toHaveLength(1); // the SDKs used the cache

    const removed = await runSts(['configure', '--aws-profile', 'work-admin', '--remove'], user, {
      AWS_CONFIG_FILE: configFile,
    });
    expect(removed.code, describeRun(removed)).toBe(0);
    const gone = await runProcess(
      'python3',
      ['-c', "import botocore.session; print(botocore.session.Session(profile='work-admin').get_credentials())"],
      env,
    );
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('ProfileNotFound');
  });
});
