import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../infra/config.js';
import { readConfigInput } from '../../infra/config-sources.js';

function configError(raw: Record<string, unknown>): ConfigError {
  try {
    parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted the configuration');
}

describe('parseConfig', () => {
  it('fills in defaults from an empty configuration', () => {
    expect(parseConfig({})).toEqual({
      appName: 'stsftw',
      authTableName: 'stsftw-auth',
      requestsTableName: 'stsftw-requests',
      approvalTimeoutSeconds: 900,
      allowedRoles: ['role/stsftw/*'],
      maxSessionSeconds: 3600,
      logRetentionDays: 30,
      brokeredRoles: [],
    });
  });

  it('keeps every valid key', () => {
    const config = parseConfig({
      appName: 'acme-sts',
      region: 'eu-west-1',
      account: '123456789012',
      authTableName: 'STS_Auth',
      requestsTableName: 'acme-requests',
      domainName: 'STS.Example.com.',
      hostedZoneName: 'example.com',
      hostedZoneId: 'Z0123456789ABC',
      auditEmail: 'security@example.com',
      approvalTimeoutSeconds: 600,
      allowedRoles: ['role/stsftw/*', 'arn:aws:iam::210987654321:role/team/deploy'],
      maxSessionSeconds: 900,
      reservedConcurrency: 5,
      logRetentionDays: 90,
      brokeredRoles: [{ roleName: 'admin', managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }],
    });
    expect(config).toMatchObject({
      appName: 'acme-sts',
      region: 'eu-west-1',
      account: '123456789012',
      authTableName: 'STS_Auth',
      domain: { domainName: 'sts.example.com', hostedZoneName: 'example.com', hostedZoneId: 'Z0123456789ABC' },
      auditEmail: 'security@example.com',
      approvalTimeoutSeconds: 600,
      maxSessionSeconds: 900,
      reservedConcurrency: 5,
      logRetentionDays: 90,
      brokeredRoles: [
        {
          roleName: 'admin',
          iamRoleName: 'acme-sts-admin',
          path: '/stsftw/',
          managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        },
      ],
    });
  });

  it('accepts the strings that `-c key=value` produces', () => {
    const config = parseConfig({
      approvalTimeoutSeconds: '300',
      maxSessionSeconds: '1800',
      allowedRoles: 'role/stsftw/*, role/ops/*',
      brokeredRoles: '[{"roleName":"ops-admin","path":"/ops/"}]',
    });
    expect(config.approvalTimeoutSeconds).toBe(300);
    expect(config.maxSessionSeconds).toBe(1800);
    expect(config.allowedRoles).toEqual(['role/stsftw/*', 'role/ops/*']);
    expect(config.brokeredRoles).toEqual([
      { roleName: 'ops-admin', iamRoleName: 'stsftw-ops-admin', path: '/ops/', managedPolicyArns: [] },
    ]);
  });

  it('keeps approverEmails, also as the JSON text `-c approverEmails=…` gives, and leaves it out when unset', () => {
    const approverEmails = { 'acme/bob': 'bob@example.com', 'Some Issuer/Bob Smith': 'bob@example.com' };
    expect(parseConfig({ approverEmails }).approverEmails).toEqual(approverEmails);
    expect(parseConfig({ approverEmails: JSON.stringify(approverEmails) }).approverEmails).toEqual(approverEmails);
    expect(parseConfig({})).not.toHaveProperty('approverEmails');
  });

  it('prefixes brokered role names with appName, unless fullRoleName gives the exact name', () => {
    const config = parseConfig({
      appName: 'acme',
      brokeredRoles: [{ roleName: 'admin' }, { fullRoleName: 'AccountAdmin', path: '/stsftw/' }],
    });
    expect(config.brokeredRoles.map((r) => r.iamRoleName)).toEqual(['acme-admin', 'AccountAdmin']);
    expect(config.brokeredRoles[1].roleName).toBeUndefined();
  });

  it('checks allowedRoles against the prefixed name', () => {
    expect(() => parseConfig({ allowedRoles: ['role/stsftw/admin'], brokeredRoles: [{ roleName: 'admin' }] })).toThrow(
      /names "role\/stsftw\/stsftw-admin", which "allowedRoles" does not allow/,
    );
    expect(
      parseConfig({ allowedRoles: ['role/stsftw/stsftw-*'], brokeredRoles: [{ roleName: 'admin' }] }).brokeredRoles,
    ).toHaveLength(1);
  });

  it.each([
    [{ appName: '1stsftw' }, 'appName', /"appName" must be a name of letters/],
    [{ colour: 'blue' }, 'colour', /"colour" is not known; the keys are appName, region/],
    [{ region: 'Europe' }, 'region', /"region" must be an AWS region/],
    [{ account: '1234' }, 'account', /"account" must be a 12-digit AWS account id/],
    [{ authTableName: 'a b' }, 'authTableName', /"authTableName" must be a DynamoDB table name/],
    [{ authTableName: 'same', requestsTableName: 'same' }, 'requestsTableName', /must differ from "authTableName"/],
    [{ domainName: 'sts.example.com' }, 'hostedZoneName', /"hostedZoneName" is required with "domainName"/],
    [
      { domainName: 'sts.example.org', hostedZoneName: 'example.com', hostedZoneId: 'Z123' },
      'domainName',
      /"domainName" \(sts.example.org\) must lie inside "hostedZoneName" \(example.com\)/,
    ],
    [
      { domainName: 'sts.example.com', hostedZoneName: 'example.com', hostedZoneId: 'zone 1' },
      'hostedZoneId',
      /"hostedZoneId" must be a Route 53 hosted zone id/,
    ],
    [{ auditEmail: 'security' }, 'auditEmail', /"auditEmail" must be an e-mail address/],
    [
      { approverEmails: ['bob@example.com'] },
      'approverEmails',
      /^Configuration key "approverEmails" must map "issuer\/account" names to e-mail addresses, such as \{"acme\/bob": "bob@example.com"\}; got \["bob@example.com"\]\.$/,
    ],
    [
      { approverEmails: { bob: 'bob@example.com' } },
      'approverEmails',
      /has "bob", which is not an "issuer\/account" name such as "acme\/bob": it is not one issuer and one account name joined by "\/"\.$/,
    ],
    [
      { approverEmails: { 'acme/team/bob': 'bob@example.com' } },
      'approverEmails',
      /has "acme\/team\/bob", which is not an "issuer\/account" name/,
    ],
    [
      { approverEmails: { 'acme/ bob': 'bob@example.com' } },
      'approverEmails',
      /has "acme\/ bob", .*: its account name is not valid: it starts or ends with a space\.$/,
    ],
    [
      { approverEmails: { ':acme/bob': 'bob@example.com' } },
      'approverEmails',
      /: its issuer is not valid: it contains ":" or "\/"\.$/,
    ],
    [
      { approverEmails: { 'acme/"bob"': 'bob@example.com' } },
      'approverEmails',
      /it contains a quote or a backslash, which SNS filter policies cannot match reliably\.$/,
    ],
    [
      { approverEmails: { 'acme/bob': 'bob' } },
      'approverEmails',
      /^Configuration key "approverEmails" maps "acme\/bob" to "bob", which is not an e-mail address\.$/,
    ],
    [{ approverEmails: { 'acme/bob': 42 } }, 'approverEmails', /maps "acme\/bob" to 42, which is not an e-mail/],
    [
      {
        approverEmails: Object.fromEntries(Array.from({ length: 151 }, (_, i) => [`acme/u${i}`, `u${i}@example.com`])),
      },
      'approverEmails',
      /lists 151 names; SNS filters allow at most 150/,
    ],
    [{ approvalTimeoutSeconds: 30 }, 'approvalTimeoutSeconds', /from 60 to 86400; got 30/],
    [{ approvalTimeoutSeconds: 'soon' }, 'approvalTimeoutSeconds', /must be a whole number/],
    [{ maxSessionSeconds: 7200 }, 'maxSessionSeconds', /from 900 to 3600 \(role chaining caps sessions at one hour\)/],
    [{ maxSessionSeconds: 600 }, 'maxSessionSeconds', /from 900 to 3600/],
    [{ maxSessionSeconds: 1000.5 }, 'maxSessionSeconds', /whole number/],
    [{ allowedRoles: [] }, 'allowedRoles', /"allowedRoles" must be a non-empty list/],
    [{ allowedRoles: ['*'] }, 'allowedRoles', /must list role patterns such as "role\/stsftw\/\*"/],
    [{ allowedRoles: ['role/*'] }, 'allowedRoles', /must not allow every role of an account/],
    [{ allowedRoles: ['arn:aws:iam::123456789012:role/*'] }, 'allowedRoles', /must not allow every role/],
    [{ allowedRoles: ['arn:aws:s3:::bucket'] }, 'allowedRoles', /must list role patterns/],
    [{ reservedConcurrency: 0 }, 'reservedConcurrency', /"reservedConcurrency" must be a whole number from 1/],
    [{ logRetentionDays: 31 }, 'logRetentionDays', /"logRetentionDays" must be one of 1, 3, 5/],
    [{ brokeredRoles: {} }, 'brokeredRoles', /"brokeredRoles" must be a list/],
    [{ brokeredRoles: [{ roleName: 'a b' }] }, 'brokeredRoles[0].roleName', /must be an IAM role name/],
    [
      { brokeredRoles: [{ roleName: 'x', policy: 'y' }] },
      'brokeredRoles',
      /"brokeredRoles\[0\]" has unknown field "policy"/,
    ],
    [
      { brokeredRoles: [{ roleName: 'x', path: '/other/' }] },
      'brokeredRoles',
      /"brokeredRoles\[0\]" names "role\/other\/stsftw-x", which "allowedRoles" does not allow/,
    ],
    [
      { appName: 'a'.repeat(40), brokeredRoles: [{ roleName: 'r'.repeat(24) }] },
      'brokeredRoles[0].roleName',
      /"brokeredRoles\[0\].roleName" makes the role name "a{40}-r{24}", 65 characters; IAM allows 64/,
    ],
    [
      { brokeredRoles: [{ roleName: 'Admin' }, { fullRoleName: 'STSFTW-admin' }] },
      'brokeredRoles',
      /"brokeredRoles\[1\]" names the role "STSFTW-admin" again \(as "stsftw-Admin"\); IAM role names are unique per account, whatever the case/,
    ],
    [
      { brokeredRoles: [{ roleName: 'admin', fullRoleName: 'admin' }] },
      'brokeredRoles',
      /"brokeredRoles\[0\]" must give either "roleName" \(prefixed with appName\) or "fullRoleName" \(exact\), not both/,
    ],
    [
      { brokeredRoles: [{ path: '/stsftw/' }] },
      'brokeredRoles',
      /"brokeredRoles\[0\]" must give either "roleName" \(prefixed with appName\) or "fullRoleName" \(exact\)/,
    ],
    [
      { brokeredRoles: [{ roleName: 'x', managedPolicyArns: ['ReadOnlyAccess'] }] },
      'brokeredRoles[0].managedPolicyArns',
      /must be IAM policy ARNs/,
    ],
  ])('refuses %j with a sentence naming %s', (raw, key, message) => {
    const error = configError(raw);
    expect(error.key).toBe(key);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^Configuration key "[^"]+" .*\.$/);
  });

  it('checks brokered roles against ARN patterns of the configured account only', () => {
    const allowedRoles = ['arn:aws:iam::210987654321:role/stsftw/*'];
    expect(() => parseConfig({ account: '123456789012', allowedRoles, brokeredRoles: [{ roleName: 'x' }] })).toThrow(
      /which "allowedRoles" does not allow/,
    );
    expect(
      parseConfig({ account: '210987654321', allowedRoles, brokeredRoles: [{ roleName: 'x' }] }).brokeredRoles,
    ).toHaveLength(1);
  });
});

describe('readConfigInput', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stsftw-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const context = (values: Record<string, unknown>) => (key: string) => values[key];

  it('reads stsftw.config.json from the working directory, context winning key by key', () => {
    writeFileSync(
      join(dir, 'stsftw.config.json'),
      JSON.stringify({ appName: 'from-file', auditEmail: 'a@example.com' }),
    );
    const input = readConfigInput(context({ appName: 'from-context', '@aws-cdk/core:flag': true }), dir);
    expect(input).toEqual({ appName: 'from-context', auditEmail: 'a@example.com' });
  });

  it('works without any config file', () => {
    expect(readConfigInput(context({}), dir)).toEqual({});
  });

  it('reads the file named by context configFile', () => {
    writeFileSync(join(dir, 'prod.json'), JSON.stringify({ region: 'eu-central-1' }));
    expect(readConfigInput(context({ configFile: 'prod.json' }), dir)).toEqual({ region: 'eu-central-1' });
  });

  it.each([
    [
      'a named file that does not exist',
      { configFile: 'missing.json' },
      undefined,
      /names .*missing.json, which does not exist/,
    ],
    ['a file that is not JSON', {}, '{ appName: ', /is not valid JSON/],
    ['a file that is not an object', {}, '["appName"]', /must hold one JSON object/],
  ])('refuses %s', (_, values, text, message) => {
    if (text !== undefined) writeFileSync(join(dir, 'stsftw.config.json'), text);
    expect(() => readConfigInput(context(values), dir)).toThrow(message);
    expect(() => readConfigInput(context(values), dir)).toThrow(ConfigError);
  });
});
