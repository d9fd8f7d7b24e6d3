/**
 * How `request`, `wait` and `get` hand over the credentials they obtained: `--format` on stdout (env by
 * default), `--write-profile` into ~/.aws/credentials, and where lines for the person go meanwhile.
 */
import { Option } from 'clipanion';
import * as t from 'typanion';
import { PROFILE_NAME } from './aws-profile.js';
import type { StsContext } from './context.js';
import type { CachedCredentials as Credentials } from './credential-cache.js';
import { type CredentialFormat, credentialFormats, formatCredentials } from './output.js';
import type { Terminal } from './terminal.js';

/** `--format`. */
export const formatOption = () =>
  Option.String('--format', {
    validator: t.isEnum(credentialFormats),
    description: 'Output: env (default), fish, powershell, json or credential-process',
  });

/** `--write-profile`. */
export const writeProfileOption = () =>
  Option.String('--write-profile', {
    validator: t.cascade(t.isString(), [t.matchesRegExp(PROFILE_NAME)]),
    description: 'Also save the credentials as this profile of ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE)',
  });

/** The options that choose the output (the command's own fields). */
export interface OutputOptions {
  format?: CredentialFormat;
  writeProfile?: string;
  json: boolean;
}

/** The output a command chose, and where it shows lines to the person. */
export class CredentialOutput {
  constructor(
    private readonly context: StsContext,
    private readonly options: OutputOptions,
    private readonly terminal: () => Terminal,
  ) {}

  /** The stdout format: `--format`, else json with `--json`, else env unless only `--write-profile` was asked. */
  get format(): CredentialFormat | undefined {
    if (this.options.format) return this.options.format;
    if (this.options.json) return 'json';
    return this.options.writeProfile ? undefined : 'env';
  }

  /**
   * Shows a line to the person: stderr, except under credential_process with a captured stderr, where
   * the terminal is the only place a person sees it.
   */
  notice(text: string): void {
    const captured = (this.context.stderr as { isTTY?: boolean }).isTTY !== true;
    if (this.format === 'credential-process' && captured) this.terminal().say(text);
    else this.context.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Prints `credentials` in the chosen format and writes the AWS profile if asked; returns exit code 0. */
  async deliver(credentials: Credentials): Promise<number> {
    const { writeProfile } = this.options;
    if (writeProfile) {
      const { writeAwsProfile } = await import('./aws-profile.js');
      const path = writeAwsProfile(this.context.env, writeProfile, credentials);
      this.notice(`Saved profile ${writeProfile} in ${path} (expires ${credentials.Expiration}).`);
    }
    const format = this.format;
    if (format) this.context.stdout.write(formatCredentials(credentials, format));
    return 0;
  }
}
