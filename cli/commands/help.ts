/** `sts --help`: clipanion's command list, followed by the everyday flows as examples. */
import { Command } from 'clipanion';

const examples: [string, string[]][] = [
  [
    'Save your defaults once',
    ['sts configure --endpoint https://sts.example.com --issuer acme --account-name alice --role admin'],
  ],
  [
    'Ask for a role; a colleague approves from their own machine',
    ['sts request --role admin --reason "deploy hotfix"', 'sts approve r_…    # on the approver’s machine'],
  ],
  ['Load credentials into this shell (STSFTW 1.0 style)', ['eval "$(sts get --role admin)"']],
  ['Run one command with credentials', ['sts exec --role admin -- aws s3 ls']],
  [
    'Use as an AWS credential_process (in ~/.aws/config)',
    ['credential_process = sts get --profile default --role admin --format credential-process'],
  ],
  ['Or have the profile written for you', ['sts configure --profile default --aws-profile work-admin']],
  ['Renewed credentials for a long-running tool', ['sts exec --server --role admin -- terraform apply']],
  ['Open the AWS console signed in as the role', ['sts console --role admin --service s3']],
  ['See where you are', ['sts profiles', 'sts whoami']],
  ['Shell completion (in ~/.bashrc; zsh and fish likewise)', ['eval "$(sts completion bash)"']],
  [
    'Per-role approvals: ReadOnly self-service, Admin one approver, BreakGlass two of the security team',
    [
      "sts update approvals --issuer acme --account-name alice ReadOnly=0 Admin=1 'BreakGlass=2:sec1,sec2'",
      'sts list --issuer acme    # shows each account’s rules',
    ],
  ],
  [
    'Try everything on this machine',
    ['sts server', 'sts enroll --local --issuer demo --account-name alice --roles Admin'],
  ],
];

/** Replaces clipanion's built-in help to add examples (each command's `--help` has its own). */
export class HelpCommand extends Command {
  static paths = [['-h'], ['--help']];

  async execute(): Promise<number> {
    const lines = ['Examples', ''];
    for (const [label, commands] of examples) {
      lines.push(
        `  ${label}:`,
        ...commands.map((command) =>
          command.startsWith('sts ') || command.startsWith('eval ') ? `    $ ${command}` : `    ${command}`,
        ),
        '',
      );
    }
    this.context.stdout.write(`${this.cli.usage()}\n${lines.join('\n')}`);
    return 0;
  }
}
