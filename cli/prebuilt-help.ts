/**
 * `sts --help`, `sts <command> --help` and `sts --version` from texts the build wrote: `dist/help/`, beside
 * the bundle, holds what `runSts` printed for each such line (cli/help-texts.ts, run by scripts/build.mjs on
 * the bundle it has just built), with colours and without, one file each. Answering from it loads neither
 * clipanion nor a command class, which for `--help` means building no command's parser.
 * test/integration/prebuilt-help.test.ts checks every text against what the CLI prints. Only node:fs.
 */
import { readFileSync } from 'node:fs';

/** The directory of the texts, beside the bundle's entry. */
export const HELP_DIR = 'help';

const HELP_FLAGS = new Set(['-h', '--help', '-v', '--version']);

/**
 * The file name of `argv`'s text when `argv` can be a prebuilt line (up to two command words, then one
 * help or version flag), else undefined. Cheap, so any other line loses nothing by asking.
 */
export function helpFileName(argv: readonly string[], coloured: boolean): string | undefined {
  if (argv.length === 0 || argv.length > 3 || !HELP_FLAGS.has(argv[argv.length - 1])) return undefined;
  for (let i = 0; i < argv.length - 1; i++) if (!/^[a-z]+$/.test(argv[i])) return undefined;
  return `${argv.join('_')}${coloured ? '.colour' : ''}.txt`;
}

/**
 * The prebuilt text of `argv` from the directory `dir`, or undefined (not such a line, or no text for it:
 * running from the sources, a line the build left to the CLI). Never throws: the CLI then answers.
 */
export function prebuiltHelp(argv: readonly string[], coloured: () => boolean, dir: URL): string | undefined {
  if (helpFileName(argv, false) === undefined) return undefined;
  try {
    return readFileSync(new URL(helpFileName(argv, coloured()) as string, dir), 'utf8');
  } catch {
    return undefined;
  }
}
