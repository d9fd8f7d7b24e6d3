/** `sts get`: STSFTW 1.0's single shot, and the credential_process entry point. */
import { Command } from 'clipanion';
import { CredentialCommand } from '../credential-command.js';
import { CliError } from '../errors.js';
import {
  durationOption,
  reasonOption,
  roleOption,
  secondaryAuthorizerOption,
  secondaryTotpCodeOption,
  totpCodeOption,
} from '../options.js';

/** Gets credentials in one go (both codes given), or waits for approval like `sts request`. */
export class GetCommand extends CredentialCommand {
  static paths = [['get']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Get credentials in one shot (STSFTW 1.0), or as an AWS credential_process',
    details: `
      With your TOTP code (and, if your account needs a second person, \`--secondary-authorizer\` and their \`--secondary-totp-code\`) the broker verifies both and mints at once. Without the second code, it waits for approval exactly like \`sts request\`.

      The default output is shell \`export\` lines, so \`eval "$(sts get …)"\` works. With \`--format credential-process\` it prints the document the AWS CLI and SDKs expect and reuses cached credentials (encrypted under ~/.cache/stsftw) until five minutes before they expire.
    `,
    examples: [
      ['Load into the shell (asks for your code)', 'eval "$(sts get --role admin)"'],
      [
        'Single shot with the approver at your side',
        '$0 get --role admin --secondary-authorizer bob --secondary-totp-code 654321',
      ],
      [
        'As a credential_process in ~/.aws/config',
        'credential_process = sts get --profile work --role admin --format credential-process',
      ],
      ['Fish shell', '$0 get --role admin --format fish | source'],
    ],
  });

  role = roleOption();
  totpCode = totpCodeOption();
  secondaryAuthorizer = secondaryAuthorizerOption();
  secondaryTotpCode = secondaryTotpCodeOption();
  duration = durationOption();
  reason = reasonOption();

  protected extraSettingFlags() {
    return { role: this.role, secondaryAuthorizer: this.secondaryAuthorizer };
  }

  protected async run(): Promise<number> {
    const settings = this.settings();
    const endpoint = this.requireEndpoint();
    const issuer = this.requireIssuer();
    const accountName = this.requireAccountName();
    const role = settings.role;
    if (!role) throw new CliError('No role: pass --role NAME, set STS_ROLE, or run `sts configure --role NAME`.');
    const { obtainCredentials } = await import('../request-flow.js');
    const credentials = await obtainCredentials(this.flowIo(), {
      endpoint,
      issuer,
      accountName,
      role,
      totpCode: () => this.totp(this.totpCode, `${accountName} (${issuer})`),
      client: () => this.client(endpoint),
      useCache: this.outputFormat() === 'credential-process',
      secondaryAccountName: settings.secondaryAuthorizer,
      secondaryTotpCode: this.secondaryTotpCode?.replace(/\s/g, ''),
      durationSeconds: this.duration,
      reason: this.reason,
      approveCommand: (id) => this.approveCommand(id),
    });
    return this.deliver(credentials);
  }
}
