import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadMintConfig, loadVerifyConfig } from '../../../lambdas/core/config.js';
import { InternalError } from '../../../lambdas/core/errors.js';

const env = {
  STS_TABLE_NAME: 'stsftw-auth',
  STS_REQUESTS_TABLE_NAME: 'stsftw-requests',
  STS_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:stsftw',
  STS_AUDIT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit',
  STS_KMS_KEY_ID: 'alias/stsftw',
};

describe('loadApiConfig', () => {
  it('reads the variables and applies defaults', () => {
    const config = loadApiConfig(env);
    expect(config).toMatchObject({
      authTableName: 'stsftw-auth',
      requestsTableName: 'stsftw-requests',
      approvalTimeoutSeconds: 900,
      maxSessionSeconds: 3600,
      requestRetentionSeconds: 86_400,
      partition: 'aws',
      maxWaitSeconds: 20,
    });
    expect(config.stateMachineArn).toBe(env.STS_STATE_MACHINE_ARN);
    expect(config.auditTopicArn).toBe(env.STS_AUDIT_TOPIC_ARN);
    expect(config.kmsKeyId).toBe('alias/stsftw');
    expect(config.roleAccountId).toBeUndefined();
    expect(config.allowedRolePattern).toBeUndefined();
  });

  it('reads the optional variables', () => {
    const config = loadApiConfig({
      ...env,
      STS_APPROVAL_TIMEOUT_SECONDS: '600',
      STS_MAX_SESSION_SECONDS: '1800',
      STS_REQUEST_RETENTION_SECONDS: '3600',
      STS_MAX_WAIT_SECONDS: '0',
      STS_ROLE_ACCOUNT_ID: '123456789012',
      STS_ALLOWED_ROLE_PATTERN: 'arn:aws:iam::123456789012:role/stsftw/*',
      AWS_PARTITION: 'aws-cn',
    });
    expect(config).toMatchObject({
      approvalTimeoutSeconds: 600,
      maxSessionSeconds: 1800,
      requestRetentionSeconds: 3600,
      maxWaitSeconds: 0,
      roleAccountId: '123456789012',
      allowedRolePattern: 'arn:aws:iam::123456789012:role/stsftw/*',
      partition: 'aws-cn',
    });
  });

  it.each(['STS_TABLE_NAME', 'STS_REQUESTS_TABLE_NAME'])('fails fast naming a missing %s', (name) => {
    const partial: Record<string, string | undefined> = { ...env, [name]: undefined };
    expect(() => loadApiConfig(partial)).toThrow(InternalError);
    expect(() => loadApiConfig(partial)).toThrow(name);
    expect(() => loadApiConfig({ ...env, [name]: '  ' })).toThrow(name);
  });

  it.each([
    ['STS_APPROVAL_TIMEOUT_SECONDS', '0'],
    ['STS_APPROVAL_TIMEOUT_SECONDS', '15m'],
    ['STS_MAX_SESSION_SECONDS', '7200'],
    ['STS_MAX_SESSION_SECONDS', '899'],
    ['STS_MAX_WAIT_SECONDS', '21'],
    ['STS_MAX_WAIT_SECONDS', '2.5'],
    ['STS_ROLE_ACCOUNT_ID', '1234'],
    ['STS_ALLOWED_ROLE_PATTERN', 'stsftw/*'],
    ['STS_AUDIT_TOPIC_ARN', 'my-topic'],
    ['STS_TABLE_NAME', 'a b'],
    ['AWS_PARTITION', 'azure'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    const load = () => loadApiConfig({ ...env, [name]: value });
    expect(load).toThrow(InternalError);
    expect(load).toThrow(name);
  });

  it('does not echo a rejected value', () => {
    expect(() => loadApiConfig({ ...env, STS_KMS_KEY_ID: 'secret value' })).toThrow(
      /^Configuration: STS_KMS_KEY_ID must be [^']*\.$/,
    );
    expect(() => loadApiConfig({ ...env, STS_KMS_KEY_ID: 'secret value' })).not.toThrow(/secret value/);
  });

  it('fails fast without STS_STATE_MACHINE_ARN, naming it', () => {
    const load = () => loadApiConfig({ ...env, STS_STATE_MACHINE_ARN: undefined });
    expect(load).toThrow(InternalError);
    expect(load).toThrow('STS_STATE_MACHINE_ARN');
  });
});

describe('loadVerifyConfig', () => {
  it('lets the verify function run without a state machine ARN (only the API starts executions)', () => {
    const config = loadVerifyConfig({ ...env, STS_STATE_MACHINE_ARN: undefined });
    expect(config).toMatchObject({
      authTableName: 'stsftw-auth',
      auditTopicArn: env.STS_AUDIT_TOPIC_ARN,
      kmsKeyId: 'alias/stsftw',
      partition: 'aws',
    });
    expect(config).not.toHaveProperty('stateMachineArn');
    expect(() => JSON.stringify(config)).not.toThrow();
  });

  it.each(['STS_AUDIT_TOPIC_ARN', 'STS_KMS_KEY_ID', 'STS_TABLE_NAME'])('fails fast naming a missing %s', (name) => {
    const load = () => loadVerifyConfig({ ...env, [name]: undefined });
    expect(load).toThrow(InternalError);
    expect(load).toThrow(name);
  });
});

describe('loadVerifyConfig: approval notifications', () => {
  const topic = 'arn:aws:sns:eu-west-1:123456789012:stsftw-approvals';

  it('reads the approvals topic and the public URL, dropping a trailing slash', () => {
    const config = loadVerifyConfig({
      ...env,
      STS_APPROVALS_TOPIC_ARN: topic,
      STS_PUBLIC_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/',
    });
    expect(config.approvalsTopicArn).toBe(topic);
    expect(config.publicUrl).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com');
  });

  it('keeps a base path and a port', () => {
    expect(loadVerifyConfig({ ...env, STS_PUBLIC_URL: 'https://sts.example.com:8443/broker' }).publicUrl).toBe(
      'https://sts.example.com:8443/broker',
    );
  });

  it('runs without either: notifications are best-effort, so nobody is notified and links are left out', () => {
    const config = loadVerifyConfig(env);
    expect(config).not.toHaveProperty('approvalsTopicArn');
    expect(config).not.toHaveProperty('publicUrl');
    expect(loadVerifyConfig({ ...env, STS_APPROVALS_TOPIC_ARN: ' ', STS_PUBLIC_URL: '' })).not.toHaveProperty(
      'publicUrl',
    );
  });

  it.each([
    ['STS_APPROVALS_TOPIC_ARN', 'stsftw-approvals'],
    ['STS_PUBLIC_URL', 'http://broker.acme.test'],
    ['STS_PUBLIC_URL', 'broker.acme.test'],
    ['STS_PUBLIC_URL', 'https://broker.acme.test/?next=1'],
    ['STS_PUBLIC_URL', 'https://broker.acme.test/#top'],
    ['STS_PUBLIC_URL', 'https://user:pass@broker.acme.test'],
  ])('refuses %s=%j, naming the variable and not the value', (name, value) => {
    const load = () => loadVerifyConfig({ ...env, [name]: value });
    expect(load).toThrow(InternalError);
    expect(load).toThrow(new RegExp(`^Configuration: ${name} must be `));
    expect(load).not.toThrow(value);
  });

  it('is not read by the API or mint functions (they send no notifications)', () => {
    const withTopic = { ...env, STS_APPROVALS_TOPIC_ARN: topic, STS_PUBLIC_URL: 'https://sts.example.com' };
    expect(loadApiConfig(withTopic)).not.toHaveProperty('approvalsTopicArn');
    expect(loadMintConfig(withTopic)).not.toHaveProperty('publicUrl');
  });
});

describe('loadMintConfig', () => {
  it.each(['STS_AUDIT_TOPIC_ARN', 'STS_KMS_KEY_ID'] as const)(
    'lets the mint function run without %s (it has no grant on it)',
    (name) => {
      const config = loadMintConfig({ ...env, [name]: undefined, STS_STATE_MACHINE_ARN: undefined });
      expect(config).toMatchObject({ requestsTableName: 'stsftw-requests', maxSessionSeconds: 3600, partition: 'aws' });
      expect(config).not.toHaveProperty('kmsKeyId');
      expect(config).not.toHaveProperty('auditTopicArn');
    },
  );

  it.each([
    ['STS_MAX_SESSION_SECONDS', '7200'],
    ['STS_ALLOWED_ROLE_PATTERN', 'stsftw/*'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    const load = () => loadMintConfig({ ...env, [name]: value });
    expect(load).toThrow(InternalError);
    expect(load).toThrow(name);
  });
});
