import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { InternalError } from '../../core/errors.js';
import type { AssumeRoleInput, Minter } from '../../core/ports.js';
import type { Credentials } from '../../core/types.js';

/** Mints short-lived credentials with STS AssumeRole. */
export class StsMinter implements Minter {
  /** @param client an STSClient created once per process (the mint Lambda's own role is the caller). */
  constructor(private readonly client: STSClient) {}

  /**
   * AssumeRole with the caller-chosen session name, source identity, duration and session tags.
   * STS errors propagate unchanged (they carry no credentials); the state machine records them as a failure.
   */
  async assumeRole(input: AssumeRoleInput): Promise<Credentials> {
    const { Credentials: issued } = await this.client.send(
      new AssumeRoleCommand({
        RoleArn: input.roleArn,
        RoleSessionName: input.roleSessionName,
        SourceIdentity: input.sourceIdentity,
        DurationSeconds: input.durationSeconds,
        Tags: input.tags.map(({ Key, Value }) => ({ Key, Value })),
      }),
    );
    const expiration = issued?.Expiration;
    if (
      !issued?.AccessKeyId ||
      !issued.SecretAccessKey ||
      !issued.SessionToken ||
      !(expiration instanceof Date) ||
      Number.isNaN(expiration.getTime())
    ) {
      throw new InternalError('STS returned no credentials.');
    }
    return {
      AccessKeyId: issued.AccessKeyId,
      SecretAccessKey: issued.SecretAccessKey,
      SessionToken: issued.SessionToken,
      Expiration: expiration.toISOString(),
    };
  }
}
