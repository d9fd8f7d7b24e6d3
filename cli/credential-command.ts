/**
 * Base of the commands that end by printing credentials (`request`, `wait`, `get`): `--format`,
 * `--write-profile`, and the plumbing to run the request flow with this command's streams.
 */
import { Option } from 'clipanion';
import * as t from 'typanion';
import { PROFILE_NAME } from './aws-profile.js';
import { BaseCommand } from './base-command.js';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { type CredentialFormat, credentialFormats, formatCredentials } from './output.js';

/** Shared by commands that print credentials. */
export abstract class CredentialCommand extends BaseCommand {
  format = Option.String('--format', {
    validator: t.isEnum(credentialFormats),
    description: 'Output: env (default), fish, powershell, json or credential-process',
  });
  writeProfile = Option.String('--write-profile', {
    validator: t.cascade(t.isString(), [t.matchesRegExp(PROFILE_NAME)]),
    description: 'Also save the credentials as this profile of ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE)',
  });

  /** The stdout format: `--format`, else json with `--json`, else env unless only `--write-profile` was asked. */
  protected outputFormat(): CredentialFormat | undefined {
    if (this.format) return this.format;
    if (this.json) return 'json';
    return this.writeProfile ? undefined : 'env';
  }

  /**
   * Shows a line to the person: stderr, except under credential_process with a captured stderr, where
   * the terminal is the only place a person sees it.
   */
  protected override notice(text: string): void {
    if (this.outputFormat() === 'credential-process' && !this.stderrIsTty()) this.terminal().say(text);
    else this.info(text);
  }

  /** Prints `credentials` in the chosen format and writes the AWS profile if asked. */
  protected async deliver(credentials: Credentials): Promise<number> {
    if (this.writeProfile) {
      const { writeAwsProfile } = await import('./aws-profile.js');
      const path = writeAwsProfile(this.context.env, this.writeProfile, credentials);
      this.notice(`Saved profile ${this.writeProfile} in ${path} (expires ${credentials.Expiration}).`);
    }
    const format = this.outputFormat();
    if (format) this.context.stdout.write(formatCredentials(credentials, format));
    return 0;
  }
}
