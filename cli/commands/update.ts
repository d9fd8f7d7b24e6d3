/** `sts update`: the group of `update roles|authorizers|approvals|device`, so `sts update --help` says what is in it. */
import { Command } from 'clipanion';

/** Lists the update subcommands; `sts update` alone is a usage error. */
export class UpdateCommand extends Command {
  static paths = [['update']];
  static usage = Command.Usage({
    category: 'Administration',
    description: "Change an enrolled account's roles, authorizers, approval rules or TOTP device",
    details: `
      One of:

      - \`sts update roles <roles…>\`: replace the roles the account may assume.
      - \`sts update authorizers <names…>\`: replace who may approve its requests.
      - \`sts update approvals <ROLE=N[:a,b]…> [--clear ROLE]\`: set or clear how many approvers a role needs.
      - \`sts update device\`: enroll a new TOTP device (new secret, QR code, two codes).

      Each takes the administration options of \`sts enroll\` (\`--issuer\`, \`--account-name\`, \`--local\` or \`--table-name\`/\`--kms-key-id\`); see \`sts update roles --help\`.
    `,
    examples: [
      ['Replace the roles', '$0 update roles --local --issuer acme --account-name alice Admin ReadOnly'],
      [
        'Two of the security team for BreakGlass',
        "$0 update approvals --local --issuer acme --account-name alice 'BreakGlass=2:sec1,sec2'",
      ],
      ['A new phone', '$0 update device --local --issuer acme --account-name alice'],
    ],
  });

  async execute(): Promise<number> {
    this.context.stderr.write(
      'sts update needs a subcommand: roles, authorizers, approvals or device (see `sts update --help`).\n',
    );
    return 64;
  }
}
