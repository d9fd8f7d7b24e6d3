/** `sts whoami`: who the current credentials are, from what `sts` recorded, without asking AWS. */
import { Command } from 'clipanion';
import { StsCommand } from '../command.js';
import { CliError, ExitCode } from '../errors.js';
import { endpointOption, roleOption } from '../options.js';

/** The environment's credentials when `sts exec` set them, else the profile's cached ones. */
export class WhoamiCommand extends StsCommand {
  static paths = [['whoami']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Show who the current credentials are (no call to AWS)',
    details: `
      Inside \`sts exec\` it describes the credentials of the environment (from the STSFTW_* variables exec sets), and inside \`sts exec --server\` the credentials being served now (asked of that loopback endpoint, renewals included); otherwise the cached credentials of the profile (\`--profile\` / STS_PROFILE, with the usual flags and STS_* variables), as \`sts get --format credential-process\` and \`sts exec\` cached them: issuer, account, role (and the AWS account when the role is an ARN), the request, its approvers and the expiry. It never shows a secret and never calls AWS or the broker.

      Nothing to show (no cached credentials, or AWS credentials in the environment that \`sts exec\` did not set) is exit 1 with a sentence; missing settings are exit 64. Credentials cached by an sts before this command say that request and approvers were not recorded.
    `,
    examples: [
      ['The cached credentials of the default profile', '$0 whoami'],
      ['Inside sts exec', '$0 exec --role admin -- sts whoami'],
      ['As JSON', '$0 whoami --profile work --json'],
    ],
  });

  endpoint = endpointOption();
  role = roleOption();

  protected async run(): Promise<number> {
    const { describeIdentity, identityFromCache, identityFromEnv, identityFromServer } = await import('../identity.js');
    const env = this.context.env;
    const now = this.context.now?.() ?? Date.now();
    let identity = identityFromEnv(env, now) ?? (await identityFromServer(env));
    if (!identity && env.AWS_ACCESS_KEY_ID) {
      throw new CliError(
        'The AWS credentials in this environment were not set by `sts exec`, so sts cannot tell whose they are without asking AWS (`aws sts get-caller-identity` does). Unset AWS_ACCESS_KEY_ID to see the profile’s cached credentials.',
        ExitCode.failure,
      );
    }
    if (!identity) {
      const key = this.requireSettings('endpoint', 'issuer', 'accountName', 'role');
      const { peekCachedCredentials } = await import('../credential-cache.js');
      const cached = peekCachedCredentials(env, key);
      if (!cached) {
        throw new CliError(
          `No cached credentials for role ${key.role} (${key.accountName} of ${key.issuer}, profile ${this.settings().profileName}): \`sts exec\` and \`sts get --format credential-process\` cache them.`,
          ExitCode.failure,
        );
      }
      identity = identityFromCache({ ...this.settings(), ...key }, cached, now);
    }
    this.out(this.json ? JSON.stringify(identity, null, 2) : describeIdentity(identity));
    return 0;
  }
}
