import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { StsMinter } from '../../../../lambdas/adapters/aws/sts-minter.js';
import { StsFailedError } from '../../../../lambdas/core/errors.js';
import type { AssumeRoleInput } from '../../../../lambdas/core/ports.js';
import { rejection } from '../../../support/memory.js';

const sts = mockClient(STSClient);
const minter = new StsMinter(new STSClient({ region: 'eu-west-1' }));
const input: AssumeRoleInput = {
  roleArn: 'arn:aws:iam::123456789012:role/stsftw/admin',
  roleSessionName: 'alice@acme',
  sourceIdentity: 'alice',
  durationSeconds: 900,
  tags: [
    { Key: 'stsftw:approved-by', Value: 'bob' },
    { Key: 'stsftw:request-id', Value: 'r_0123456789abcdefghjkmnpqrs' },
  ],
};
const issued = {
  AccessKeyId: 'ASIAEXAMPLE',
  SecretAccessKey: 'secret-access-key',
  SessionToken: 'session-token',
  Expiration: new Date('2025-06-01T00:15:00Z'),
};

afterEach(() => {
  sts.reset();
});

describe('StsMinter', () => {
  it('assumes the role with session name, source identity, duration and tags', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: issued });
    await expect(minter.assumeRole(input)).resolves.toStrictEqual({
      AccessKeyId: 'ASIAEXAMPLE',
      SecretAccessKey: 'secret-access-key',
      SessionToken: 'session-token',
      Expiration: '2025-06-01T00:15:00.000Z',
    });
    expect(sts).toReceiveCommandExactlyOnceWith(AssumeRoleCommand, {
      RoleArn: input.roleArn,
      RoleSessionName: 'alice@acme',
      SourceIdentity: 'alice',
      DurationSeconds: 900,
      Tags: input.tags,
    });
  });

  it.each([
    ['no Credentials', {}],
    ['no SessionToken', { Credentials: { ...issued, SessionToken: undefined } }],
    ['no Expiration', { Credentials: { ...issued, Expiration: undefined } }],
  ])('fails with StsFailedError when STS answers %s', async (_what, answer) => {
    sts.on(AssumeRoleCommand).resolves(answer as never);
    const error = await minter.assumeRole(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StsFailedError);
    expect((error as Error).message).not.toMatch(/secret-access-key|ASIAEXAMPLE/);
  });

  it('reports an STS failure as StsFailedError, without its message', async () => {
    sts.on(AssumeRoleCommand).rejects(new Error('AccessDenied: arn:aws:iam::123456789012:role/admin internal detail'));
    const error = await minter.assumeRole(input).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StsFailedError);
    expect((error as Error).name).toBe('StsFailedError');
    expect((error as Error).message).not.toContain('internal detail');
  });

  it("names the STS exception in the failure (for the operator's execution history)", async () => {
    const denied = Object.assign(new Error('User is not authorized to perform sts:AssumeRole'), {
      name: 'AccessDenied',
    });
    sts.on(AssumeRoleCommand).rejects(denied);
    const error = await rejection(minter.assumeRole(input));
    expect(error.message).toBe('STS could not mint the credentials (AccessDenied); no credentials were released.');
  });
});
