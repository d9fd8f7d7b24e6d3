/** `sts exec -- command …`: run one command with credentials in its environment. */
import { Command, Option } from 'clipanion';
import { BaseCommand } from '../base-command.js';
import { CliError } from '../errors.js';
import {
  durationOption,
  reasonOption,
  roleOption,
  secondaryAuthorizerOption,
  secondaryTotpCodeOption,
  totpCodeOption,
} from '../options.js';

/** Gets credentials like `sts get` and runs a command with them (no shell), passing its exit code through. */
export class ExecCommand extends BaseCommand {
  static paths = [['exec']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Run a command with credentials in its environment',
    details: `
      Gets credentials like \`sts get\` (reusing the encrypted cache while they stay valid for five more minutes), then runs the command directly, without a shell, with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION and STSFTW_EXEC=1 set. The command's exit code is passed through (a signal n gives 128+n).

      Refuses to run inside another \`sts exec\` (STSFTW_EXEC is set): the inner credentials would silently replace the outer ones.
    `,
    examples: [
      ['List buckets as admin', '$0 exec --role admin -- aws s3 ls'],
      ['A shell with credentials', '$0 exec --role admin -- bash'],
    ],
  });

  role = roleOption();
  totpCode = totpCodeOption();
  secondaryAuthorizer = secondaryAuthorizerOption();
  secondaryTotpCode = secondaryTotpCodeOption();
  duration = durationOption();
  reason = reasonOption();
  command = Option.Rest({ required: 1, name: 'command' });

  protected extraSettingFlags() {
    return { role: this.role, secondaryAuthorizer: this.secondaryAuthorizer };
  }

  protected async run(): Promise<number> {
    if (this.context.env.STSFTW_EXEC) {
      throw new CliError(
        'Already inside `sts exec` (STSFTW_EXEC is set): exit that shell first, or run the command there directly.',
      );
    }
    const credentials = await this.obtainCredentials({
      totpCode: this.totpCode,
      secondaryTotpCode: this.secondaryTotpCode,
      durationSeconds: this.duration,
      reason: this.reason,
      useCache: true,
    });
    const { credentialEnv } = await import('../output.js');
    const { runChild } = await import('../child.js');
    const [file, ...args] = this.command;
    return runChild(file, args, { ...this.context.env, ...credentialEnv(credentials), STSFTW_EXEC: '1' }, this.context);
  }
}
