/**
 * The `sts` command line. The commands are listed in cli/commands/index.ts; `runSts` registers only those
 * the line can select, because clipanion builds the parser of every registered command before it parses
 * anything. Heavy modules are imported lazily inside `execute()`, so `sts --help` and the warm
 * credential_process path (cli/fast-path.ts, before this module is loaded) stay fast.
 */
import { Cli, type Command, type CommandClass } from 'clipanion';
import { withAsciiCollation } from './collation.js';
import { ALL_COMMANDS, commandGroupFor } from './commands/index.js';
import type { StsContext } from './context.js';
import { ExitCode } from './errors.js';
import { syntaxErrorSentence } from './syntax-error.js';

export const cliVersion = '2.0.0';

/** How `sts` runs: colours on or off (undefined: clipanion's own choice, from the context's colour depth). */
export interface CliOptions {
  enableColors?: boolean;
}

/**
 * clipanion's Cli, but a line that does not parse gets one sentence on stderr with the nearest command or
 * option, where clipanion prints every command's usage on stdout (which `$(sts get …)` would capture).
 */
class StsCli extends Cli<StsContext> {
  override async run(input: Command<StsContext> | string[], context: Partial<StsContext>): Promise<number> {
    if (!Array.isArray(input)) return super.run(input, context as StsContext);
    let command: Command<StsContext>;
    try {
      command = this.process(input, context as StsContext);
    } catch (error) {
      (context.stderr ?? process.stderr).write(`${this.binaryName}: ${syntaxErrorSentence(error, input, this)}\n`);
      return ExitCode.failure;
    }
    return super.run(command, context as StsContext);
  }

  /** clipanion's usage, without loading ICU to sort two dozen ASCII names. */
  override usage(...args: Parameters<Cli<StsContext>['usage']>): string {
    return withAsciiCollation(() => super.usage(...args));
  }
}

function createCli(commands: readonly CommandClass<StsContext>[], { enableColors }: CliOptions): StsCli {
  const cli = new StsCli({
    binaryLabel: 'stsftw',
    binaryName: 'sts',
    binaryVersion: cliVersion,
    enableCapture: false,
    enableColors,
  });
  for (const command of commands) cli.register(command);
  return cli;
}

/** The command line with every command registered. */
export function buildCli(options: CliOptions = {}): Cli<StsContext> {
  return createCli(ALL_COMMANDS, options);
}

/**
 * Runs `sts argv`. The line is parsed against the commands its first word can select (cli/commands/index.ts)
 * and runs there (`sts --help` runs with every command registered, to list them); a line those commands
 * cannot parse goes to the whole command line, which parses it again and says what is wrong exactly as
 * before: the nearest command or option comes from all of them.
 */
export async function runSts(argv: string[], context: Partial<StsContext>, options: CliOptions = {}): Promise<number> {
  const group = commandGroupFor(argv);
  if (group) {
    const few = createCli(group.commands, options);
    let command: Command<StsContext> | undefined;
    try {
      command = few.process(argv, context as StsContext);
    } catch {
      // not a line of these commands: the whole command line answers it below
    }
    if (command) return (group.listsAll ? buildCli(options) : few).run(command, context);
  }
  return buildCli(options).run(argv, context);
}

/** The files of `dist/help/` (cli/prebuilt-help.ts), name → text: scripts/build.mjs calls this on the bundle it built. */
export async function renderPrebuiltHelp(): Promise<Record<string, string>> {
  const { renderHelpTexts } = await import('./help-texts.js');
  return renderHelpTexts(
    runSts,
    ALL_COMMANDS.flatMap((command) => command.paths ?? []),
  );
}
