/**
 * `sts completion bash|zsh|fish`: the scripts. The commands, subcommands and options come from clipanion's
 * definitions when the script is printed; `--profile` names and pending request ids are asked of the same
 * `sts` each time (`sts completion --list profiles|requests`), so they stay current.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code, ${…} is the shell's
import type { Definition } from 'clipanion';

/** A command path (without `sts`) and its long and short options, marked when they take a value. */
export interface CompletionCommand {
  path: string[];
  options: { names: string[]; takesValue: boolean }[];
}

/** Commands whose positional argument is a request id of this machine. */
const TAKES_REQUEST_ID = new Set(['wait', 'status', 'approve', 'deny']);

/** The commands of `definitions` (clipanion's `cli.definitions()`), without the -h / -v builtins. */
export function completionCommands(definitions: readonly Definition[]): CompletionCommand[] {
  return definitions
    .map((definition) => ({
      path: definition.path.split(' ').slice(1),
      options: definition.options.map((option) => ({
        names: option.definition.split(' ')[0].split(','), // "-h,--help", "--profile #0"
        takesValue: option.definition.includes('#0'),
      })),
    }))
    .filter((command) => command.path.length > 0 && !command.path[0].startsWith('-'));
}

const words = (list: Iterable<string>): string => [...new Set(list)].join(' ');

/** The bash function `_sts` (zsh runs it through bashcompinit; `cmd_path`, as zsh ties `path` to PATH). */
export function bashScript(commands: readonly CompletionCommand[], formats: readonly string[]): string {
  const paths = commands.map((command) => command.path.join(' '));
  const top = words(commands.map((command) => command.path[0]));
  const children = (prefix: string) =>
    words(paths.filter((path) => path.startsWith(`${prefix} `)).map((path) => path.slice(prefix.length + 1)));
  const parents = [...new Set(paths.filter((path) => children(path) !== ''))];
  const valueOptions = words(
    commands.flatMap((command) => command.options.filter((o) => o.takesValue)).flatMap((o) => o.names),
  );
  const lines = [
    '# sts completion for bash: eval "$(sts completion bash)" in ~/.bashrc',
    '_sts() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" sts="${COMP_WORDS[0]}"',
    '  local cmd_path="" i w',
    '  case "$prev" in',
    `    --profile) COMPREPLY=($(compgen -W "$("$sts" completion --list profiles 2>/dev/null)" -- "$cur")); return 0 ;;`,
    `    --format) COMPREPLY=($(compgen -W "${formats.join(' ')}" -- "$cur")); return 0 ;;`,
    '  esac',
    `  local takes_value=" ${valueOptions} "`,
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    if [[ $w == -* ]]; then [[ $takes_value == *" $w "* ]] && ((i++)); continue; fi',
    '    case "${cmd_path:+$cmd_path }$w" in',
    `      ${paths.map((path) => `"${path}"`).join('|')}) cmd_path="\${cmd_path:+$cmd_path }$w" ;;`,
    '    esac',
    '  done',
    '  local candidates',
    '  if [[ $cur == -* ]]; then',
    '    case "$cmd_path" in',
    ...commands.map(
      (command) =>
        `      "${command.path.join(' ')}") candidates="${words(command.options.flatMap((o) => o.names))} --help" ;;`,
    ),
    '    esac',
    '  else',
    '    case "$cmd_path" in',
    `      "") candidates="${top}" ;;`,
    ...parents.map((path) => `      "${path}") candidates="${children(path)}" ;;`),
    `      ${[...TAKES_REQUEST_ID].map((path) => `"${path}"`).join('|')}) candidates="$("$sts" completion --list requests 2>/dev/null)" ;;`,
    '    esac',
    '  fi',
    '  COMPREPLY=($(compgen -W "$candidates" -- "$cur"))',
    '}',
    'complete -o default -F _sts sts',
  ];
  return `${lines.join('\n')}\n`;
}

/** zsh: the bash function through zsh's bashcompinit (compinit first, unless the user's zshrc ran it). */
export function zshScript(commands: readonly CompletionCommand[], formats: readonly string[]): string {
  return [
    '# sts completion for zsh: eval "$(sts completion zsh)" in ~/.zshrc',
    '(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }',
    'autoload -U +X bashcompinit && bashcompinit',
    bashScript(commands, formats),
  ].join('\n');
}

const fishQuote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * fish: `__sts_path` reads the command path off the line as the bash function does (past options and their
 * values), and each `complete -c sts` line is conditioned on it.
 */
export function fishScript(commands: readonly CompletionCommand[], formats: readonly string[]): string {
  const paths = commands.map((command) => command.path.join(' '));
  const valueOptions = commands
    .flatMap((command) => command.options.filter((o) => o.takesValue))
    .flatMap((o) => o.names);
  const at = (path: string) => fishQuote(`__sts_at ${fishQuote(path)}`);
  const lines = [
    '# sts completion for fish: sts completion fish > ~/.config/fish/completions/sts.fish',
    'function __sts_path --description "The sts command path on the command line"',
    `    set -l takes_value ${[...new Set(valueOptions)].join(' ')}`,
    `    set -l known ${paths.map(fishQuote).join(' ')}`,
    '    set -l path',
    '    set -l skip 0',
    '    for word in (commandline -opc)[2..-1]',
    '        if test $skip = 1',
    '            set skip 0',
    "        else if string match -q -- '-*' $word",
    '            contains -- $word $takes_value; and set skip 1',
    "        else if contains -- (string join ' ' $path $word) $known",
    '            set -a path $word',
    '        end',
    '    end',
    "    string join ' ' $path",
    'end',
    'function __sts_at --description "True when the sts command path on the line is $argv"',
    '    set -l path (__sts_path)',
    '    test "$path" = "$argv"',
    'end',
    'complete -c sts -f',
    `complete -c sts -n ${at('')} -a ${fishQuote(words(commands.map((command) => command.path[0])))}`,
  ];
  for (const parent of new Set(commands.filter((c) => c.path.length === 2).map((c) => c.path[0]))) {
    const children = commands.filter((c) => c.path.length === 2 && c.path[0] === parent).map((c) => c.path[1]);
    lines.push(`complete -c sts -n ${at(parent)} -a ${fishQuote(words(children))}`);
  }
  for (const command of commands) {
    for (const option of command.options) {
      for (const name of option.names.filter((n) => n.startsWith('--'))) {
        const long = name.slice(2);
        let values = '';
        if (long === 'profile') values = ` -xa '(sts completion --list profiles 2>/dev/null)'`;
        else if (long === 'format') values = ` -xa ${fishQuote(formats.join(' '))}`;
        else if (option.takesValue) values = ' -r';
        lines.push(`complete -c sts -n ${at(command.path.join(' '))} -l ${long}${values}`);
      }
    }
  }
  for (const path of TAKES_REQUEST_ID) {
    lines.push(`complete -c sts -n ${at(path)} -a '(sts completion --list requests 2>/dev/null)'`);
  }
  return `${lines.join('\n')}\n`;
}
