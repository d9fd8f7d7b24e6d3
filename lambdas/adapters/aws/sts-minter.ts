import { AssumeRoleCommand, type STSClient, type Credentials as StsCredentials } from '@aws-sdk/client-sts';
import { StsFailedError } from '../../core/errors.js';
import type { AssumeRoleInput, Minter } from '../../core/ports.js';
import type { Credentials } from '../../core/types.js';
import { awsErrorName } from './aws-errors.js';

/** Mints short-lived credentials with STS AssumeRole. */
export class StsMinter implements Minter {
  /** @param client an STSClient created once per process (the mint Lambda's own role is the caller). */
  constructor(private readonly client: STSClient) {}

  /**
   * AssumeRole with the caller-chosen session name, source identity, duration and session tags.
   * @throws StsFailedError when STS refuses, fails or answers without credentials. It names the SDK exception
   * (the operator reads it in the execution history) but never copies its message, which may quote the role.
   */
  async assumeRole(input: AssumeRoleInput): Promise<Credentials> {
    let issued: StsCredentials | undefined;
    try {
      ({ Credentials: issued } = await this.client.send(
        new AssumeRoleCommand({
          RoleArn: input.roleArn,
          RoleSessionName: input.roleSessionName,
          SourceIdentity: input.sourceIdentity,
          DurationSeconds: input.durationSeconds,
          Tags: input.tags.map(({ Key, Value }) => ({ Key, Value })),
        }),
      ));
    } catch (e) {
      throw new StsFailedError(
        `STS could not mint the credentials (${awsErrorName(e)}); no credentials were released.`,
      );
    }
    const expiration = issued?.Expiration;
    if (
      !issued?.AccessKeyId ||
      !issued.SecretAccessKey ||
      !issued.SessionToken ||
      !(expiration instanceof Date) ||
      Number.isNaN(expiration.getTime())
    ) {
      throw new StsFailedError('STS returned no credentials; no credentials were released.');
    }
    return {
      AccessKeyId: issued.AccessKeyId,
      SecretAccessKey: issued.SecretAccessKey,
      SessionToken: issued.SessionToken,
      Expiration: expiration.toISOString(),
    };
  }
}
