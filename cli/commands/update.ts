/** `sts update`: the group of `update roles|authorizers|device`, so `sts update --help` says what is in it. */
import { Command } from 'clipanion';

/** Lists the update subcommands; `sts update` alone is a usage error. */
export class UpdateCommand extends Command {
  static paths = [['update']];
  static usage = Command.Usage({
    category: 'Administration',
    description: "Change an enrolled account's roles, authorizers or TOTP device",
    details: `
      One of:

      - \`sts update roles <roles…>\`: replace the roles the account may assume.
      - \`sts update authorizers <names…>\`: replace who may approve its requests.
      - \`sts update device\`: enroll a new TOTP device (new secret, QR code, two codes).

      Each takes the administration options of \`sts enroll\` (\`--issuer\`, \`--account-name\`, \`--local\` or \`--table-name\`/\`--kms-key-id\`); see \`sts update roles --help\`.
    `,
    examples: [
      ['Replace the roles', '$0 update roles --local --issuer acme --account-name alice Admin ReadOnly'],
      ['A new phone', '$0 update device --local --issuer acme --account-name alice'],
    ],
  });

  async execute(): Promise<number> {
    this.context.stderr.write(
      'sts update needs a subcommand: roles, authorizers or device (see `sts update --help`).\n',
    );
    return 64;
  }
}
