/** `sts exec -- command …`: run one command with credentials in its environment. */
import { Command, Option } from 'clipanion';
import { CliError } from '../errors.js';
import { ObtainCommand } from '../obtain-command.js';

/** Gets credentials like `sts get` and runs a command with them (no shell), passing its exit code through. */
export class ExecCommand extends ObtainCommand {
  static paths = [['exec']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Run a command with credentials in its environment',
    details: `
      Gets credentials like \`sts get\` (reusing the encrypted cache while they stay valid for five more minutes), then runs the command directly, without a shell, with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION and STSFTW_EXEC=1 set, and who they are (no secret, for \`sts whoami\` and prompts): STSFTW_PROFILE, STSFTW_ISSUER, STSFTW_ACCOUNT_NAME, STSFTW_ROLE, STSFTW_REQUEST_ID and STSFTW_APPROVERS (comma-separated; the last two unless the credentials were cached by an older sts). The command's exit code is passed through (a signal n gives 128+n).

      A \`--reason\` always makes a new request (the approver and the audit see it) and its credentials replace the cached ones; \`--no-cache\` makes a new request and keeps nothing cached. When the cache answers although a code was given, a line says so.

      AWS_REGION and AWS_DEFAULT_REGION are set from \`--region\`, else from the profile's \`region\` when the environment sets neither (a region already in the environment is never replaced).

      Refuses to run inside another \`sts exec\` (STSFTW_EXEC is set): the inner credentials would silently replace the outer ones.
    `,
    examples: [
      ['List buckets as admin', '$0 exec --role admin -- aws s3 ls'],
      ['A shell with credentials', '$0 exec --role admin -- bash'],
      ['New credentials, with a reason', '$0 exec --role admin --reason "incident 42" -- aws s3 ls'],
    ],
  });

  region = Option.String('--region', {
    description:
      "AWS_REGION and AWS_DEFAULT_REGION for the command (default: the profile's region, unless the environment sets one)",
  });
  command = Option.Rest({ required: 1, name: 'command' });

  protected override validate(): void {
    if (this.context.env.STSFTW_EXEC) {
      throw new CliError(
        'Already inside `sts exec` (STSFTW_EXEC is set): exit that shell first, or run the command there directly.',
      );
    }
  }

  protected async run(): Promise<number> {
    const credentials = await this.obtain({ useCache: true, notice: (text) => this.info(text) });
    const { credentialEnv } = await import('../output.js');
    const { runChild } = await import('../child.js');
    const [file, ...args] = this.command;
    const { identityEnv } = await import('../identity.js');
    const identity = identityEnv(this.settings(), credentials);
    const env = {
      ...this.context.env,
      ...this.regionEnv(),
      ...credentialEnv(credentials),
      ...identity,
      STSFTW_EXEC: '1',
    };
    return runChild(file, args, env, this.context);
  }

  /** `--region`, else the profile's region unless the environment already names one (never overridden). */
  private regionEnv(): Record<string, string> {
    const { AWS_REGION, AWS_DEFAULT_REGION } = this.context.env;
    const region = this.region || (AWS_REGION || AWS_DEFAULT_REGION ? undefined : this.settings().region);
    return region ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {};
  }
}
