/**
 * What `sts` says when clipanion cannot parse the command line: one sentence with the nearest command or
 * option ("did you mean"), instead of clipanion's list of every command's usage. Nothing typed is echoed
 * back except command and option names: a mistyped line may hold a TOTP code.
 */
import type { Definition } from 'clipanion';
import { either, nearest } from './suggest.js';

/** What the sentence needs to know about the registered commands. */
export interface CommandTable {
  binaryName: string;
  definitions(): Definition[];
}

/** Options every command takes (clipanion's own). */
const BUILTIN_OPTIONS = ['--help', '-h'];
/** What `sts` alone takes. */
const TOP_LEVEL = ['--help', '--version'];
/** Options whose value is a secret: a value that does not parse is not shown either. */
const SECRET_OPTIONS = /--(secondary-)?totp-code\b/;

/** A word we may repeat: a command name or an option name, never a value such as a code. */
const sayable = (word: string | undefined): word is string => !!word && /^-{0,2}[a-z][a-z0-9-]*$/i.test(word);

interface Entry {
  path: string[];
  options: string[];
}

function table(cli: CommandTable): Entry[] {
  return cli.definitions().map((definition) => ({
    path: definition.path.split(' ').slice(1),
    options: [
      ...definition.options.flatMap((option) => option.definition.split(' ')[0].split(',')),
      ...BUILTIN_OPTIONS,
    ],
  }));
}

const startsWith = (path: string[], prefix: string[]) => prefix.every((word, i) => path[i] === word);

/** The sentence (without the `sts: ` prefix) for an error thrown by `cli.process(argv)`. */
export function syntaxErrorSentence(error: unknown, argv: string[], cli: CommandTable): string {
  const bin = cli.binaryName;
  const entries = table(cli);
  const firstOption = argv.findIndex((token) => token.startsWith('-'));
  const leading = firstOption === -1 ? argv : argv.slice(0, firstOption);
  // The command typed: the longest registered path the line begins with.
  const command = entries
    .filter((entry) => startsWith(leading, entry.path))
    .sort((a, b) => b.path.length - a.path.length)[0];
  const typed = command?.path ?? [];
  const help = `see \`${[bin, ...typed, '--help'].join(' ')}\``;
  const name = `\`${[bin, ...typed].join(' ')}\``;

  const { name: kind, message = '' } = (error ?? {}) as { name?: string; message?: string };
  const candidates = (error as { candidates?: { reason: string | null }[] }).candidates;
  if (kind === 'UsageError') {
    // typanion's "Invalid value for --x: expected … (got "…")"; a code's value stays unsaid.
    const text = SECRET_OPTIONS.test(message) ? message.replace(/\s*\(got [^\n]*\)$/, '') : message;
    return `${text.split('\n')[0].replace(/\.$/, '')}: ${help}.`;
  }
  if (kind !== 'UnknownSyntaxError' || !candidates) return `${message.split('\n')[0]} (${help}).`;

  const reasons = new Set(candidates.map((candidate) => candidate.reason));
  const reason = reasons.size === 1 ? [...reasons][0] : null;
  const option = reason && /^(?:Unsupported|Invalid) option name \("([^"=]*)/.exec(reason)?.[1];
  if (option !== undefined && option !== null) {
    const known = command ? command.options : TOP_LEVEL;
    const near = nearest(option, known).map((o) => (command ? o : `\`${bin} ${o}\``));
    const what = sayable(option) ? `option ${option}` : 'such option';
    return `${name} has no ${what}.${near.length ? ` Did you mean ${either(near)}?` : ''} S${help.slice(1)}.`;
  }
  // A command word that names no command (then clipanion gives no reason), or an extra word after a group.
  const word = leading[typed.length];
  const children = entries.filter((entry) => entry.path.length > typed.length && startsWith(entry.path, typed));
  if (word !== undefined && children.length > 0 && (reason === null || reason.startsWith('Extraneous positional'))) {
    const exact = children.filter((entry) => entry.path[typed.length] === word);
    const near = exact.length
      ? exact.map((entry) => entry.path)
      : nearest(
          word,
          children.map((entry) => entry.path[typed.length]),
        ).map((next) => [...typed, next]);
    const wanted = [...new Set(near.map((path) => `\`${[bin, ...path].join(' ')}\``))];
    const what = sayable(word) ? `"${word}"` : 'That';
    const not = typed.length ? `is not a subcommand of ${name}` : `is not an ${bin} command`;
    const group = `\`${[bin, ...typed, word].join(' ')}\``;
    return `${exact.length ? `${group} needs a subcommand` : `${what} ${not}`}.${wanted.length ? ` Did you mean ${either(wanted)}?` : ''} S${help.slice(1)}.`;
  }
  // Anything else (a missing argument, an option without its value…), without the words it quotes.
  const said = (reason ?? message.split('\n')[0]).replace(/\s*\("[^"]*"\)/g, '').replace(/\.$/, '');
  return `${said} for ${name}: ${help}.`;
}
