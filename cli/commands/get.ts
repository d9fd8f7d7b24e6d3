/** `sts get`: STSFTW 1.0's single shot, and the credential_process entry point. */
import { Command } from 'clipanion';
import { CredentialOutput, formatOption, writeProfileOption } from '../credential-output.js';
import { ignoredTableNameOption, logLevelOption } from '../legacy-options.js';
import { ObtainCommand } from '../obtain-command.js';

/** Gets credentials in one go (both codes given), or waits for approval like `sts request`. */
export class GetCommand extends ObtainCommand {
  static paths = [['get']];
  static usage = Command.Usage({
    category: 'Requester',
    description: 'Get credentials in one shot (STSFTW 1.0), or as an AWS credential_process',
    details: `
      With your TOTP code (and, if your account needs a second person, \`--secondary-authorizer\` and their \`--secondary-totp-code\`) the broker verifies both and mints at once. Without the second code, it waits for approval exactly like \`sts request\`. It never waits for a quorum: a role that needs two or more approvals stops with exit 4 (\`approvals_required\`) and names \`sts request\`; the request stays open, and \`sts wait <id>\` collects its credentials once the other approvers have approved.

      The default output is shell \`export\` lines, so \`eval "$(sts get …)"\` works. With \`--format credential-process\` it prints the document the AWS CLI and SDKs expect and reuses cached credentials (encrypted under ~/.cache/stsftw) until five minutes before they expire. A \`--reason\` always asks for new credentials (they replace the cached ones); \`--no-cache\` asks for new ones and keeps none; \`sts cache clear\` forgets them all.
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

  format = formatOption();
  writeProfile = writeProfileOption();
  logLevel = logLevelOption();
  legacyTableName = ignoredTableNameOption();

  protected async run(): Promise<number> {
    const output = new CredentialOutput(this.context, this, () => this.terminal());
    const useCache = output.format === 'credential-process';
    const credentials = await this.obtain({ useCache, notice: (text) => output.notice(text) });
    return output.deliver(credentials);
  }
}
