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

      With \`--server\` the command gets no AWS_ACCESS_KEY_ID & co.: sts serves the credentials on 127.0.0.1 (a random port) for the SDKs' container credentials provider, through AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN (a random token checked on every call), and renews them when less than five minutes are left: a long-running tool keeps working past one session. Renewing asks for a new code on the terminal (a \`--totp-code\` serves the first request only); without a terminal the endpoint answers an error the SDK shows, and stderr says why. Inside, \`sts whoami\` describes the credentials being served now (after a renewal too), asked of the same endpoint.

      Refuses to run inside another \`sts exec\` (STSFTW_EXEC is set): the inner credentials would silently replace the outer ones.
    `,
    examples: [
      ['List buckets as admin', '$0 exec --role admin -- aws s3 ls'],
      ['A shell with credentials', '$0 exec --role admin -- bash'],
      ['Renewed credentials for a long-running tool', '$0 exec --server --role admin -- terraform apply'],
      ['New credentials, with a reason', '$0 exec --role admin --reason "incident 42" -- aws s3 ls'],
    ],
  });

  region = Option.String('--region', {
    description:
      "AWS_REGION and AWS_DEFAULT_REGION for the command (default: the profile's region, unless the environment sets one)",
  });
  server = Option.Boolean('--server', {
    description:
      'Serve the credentials to the command on a loopback endpoint (container provider), renewed near expiry',
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
    if (!this.server) {
      const env = {
        ...this.context.env,
        ...this.regionEnv(),
        ...credentialEnv(credentials),
        ...identity,
        STSFTW_EXEC: '1',
      };
      return runChild(file, args, env, this.context);
    }
    const { startCredentialServer } = await import('../credential-server.js');
    const { accountOfRole, identityOf } = await import('../identity.js');
    const server = await startCredentialServer({
      first: credentials,
      renew: () => {
        this.totpCode = undefined; // the code given was spent on the first request: renewing asks for one
        return this.obtain({ useCache: true, notice: (text) => this.info(text) });
      },
      onError: (error) => this.info(`sts exec --server: could not renew the credentials: ${(error as Error).message}`),
      describe: (served, now) => identityOf(this.settings(), served, now, 'server'),
      accountId: accountOfRole(this.settings().role),
    });
    const env: Record<string, string | undefined> = { ...this.context.env, ...this.regionEnv(), ...identity };
    for (const name of Object.keys(credentialEnv(credentials))) delete env[name]; // they would win over the server
    delete env.AWS_PROFILE;
    try {
      return await runChild(file, args, { ...env, ...server.env, STSFTW_EXEC: '1' }, this.context);
    } finally {
      await server.close();
    }
  }

  /** `--region`, else the profile's region unless the environment already names one (never overridden). */
  private regionEnv(): Record<string, string> {
    const { AWS_REGION, AWS_DEFAULT_REGION } = this.context.env;
    const region = this.region || (AWS_REGION || AWS_DEFAULT_REGION ? undefined : this.settings().region);
    return region ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {};
  }
}
