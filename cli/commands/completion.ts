/** `sts completion bash|zsh|fish`: prints a shell completion script. */
import { Command, Option } from 'clipanion';
import * as t from 'typanion';
import { StsCommand } from '../command.js';
import { CliError } from '../errors.js';

const shells = ['bash', 'zsh', 'fish'] as const;

export class CompletionCommand extends StsCommand {
  static paths = [['completion']];
  static usage = Command.Usage({
    category: 'Setup',
    description: 'Print a shell completion script (bash, zsh or fish)',
    details: `
      Completes commands, subcommands (\`update roles\`, \`cache clear\`, …), each command's options, \`--profile\` names (read from the CLI config each time), \`--format\` values, and the ids of the requests waiting on this machine for \`wait\`, \`status\`, \`approve\` and \`deny\`. The script calls the same \`sts\` back for profiles and ids (a hidden \`sts completion --list profiles|requests\`).

      zsh uses the bash function through zsh's \`bashcompinit\`.
    `,
    examples: [
      ['bash', 'echo \'eval "$(sts completion bash)"\' >> ~/.bashrc'],
      ['zsh', 'echo \'eval "$(sts completion zsh)"\' >> ~/.zshrc'],
      ['fish', '$0 completion fish > ~/.config/fish/completions/sts.fish'],
    ],
  });

  shell = Option.String({ required: false, name: 'bash|zsh|fish' });
  list = Option.String('--list', { hidden: true, validator: t.isEnum(['profiles', 'requests']) });

  protected async run(): Promise<number> {
    const env = this.context.env;
    if (this.list === 'profiles') {
      const { readConfig } = await import('../settings.js');
      this.out(Object.keys(readConfig(env).profiles).sort().join('\n'));
      return 0;
    }
    if (this.list === 'requests') {
      const { listPendingIds } = await import('../pending-requests.js');
      this.out(listPendingIds(env).join('\n'));
      return 0;
    }
    const shell = this.shell;
    if (!shell || !(shells as readonly string[]).includes(shell)) {
      throw new CliError(
        `${shell ? `"${shell}" is not a shell sts completes` : 'Name the shell'}: \`sts completion bash\`, \`zsh\` or \`fish\`.`,
      );
    }
    const scripts = await import('../completion-scripts.js');
    const { credentialFormats } = await import('../output.js');
    const commands = scripts.completionCommands(this.cli.definitions());
    const script =
      shell === 'bash'
        ? scripts.bashScript(commands, credentialFormats)
        : shell === 'zsh'
          ? scripts.zshScript(commands, credentialFormats)
          : scripts.fishScript(commands, credentialFormats);
    this.context.stdout.write(script);
    return 0;
  }
}
