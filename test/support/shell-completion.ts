/**
 * Completion as bash, zsh and fish run it, for `sts completion` scripts. A missing shell is a failure with the
 * command that installs it, never a skip: `.ci/run` installs zsh and fish when they are missing.
 *
 * - bash: the script sourced, then the completion function called with COMP_WORDS / COMP_CWORD as bash's
 *   completion sets them.
 * - zsh: an interactive zsh on a pseudo-terminal (zsh/zpty) whose .zshrc evals `sts completion zsh`; the line
 *   is typed and TAB pressed, so zsh's own completion widget runs (compinit, bashcompinit's
 *   `_bash_complete`, the script). A `compadd` wrapper records what the completion system adds after its own
 *   prefix matching (`compadd -O`), then hands the call on unchanged.
 * - fish: `complete -C LINE`, fish's own way of printing the candidates of a command line.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { describeRun, runProcess } from './cli-harness.js';

type Env = Record<string, string>;

/** Fails, with the apt command, when `shell` is not on PATH. */
export async function requireShell(shell: 'bash' | 'zsh' | 'fish', env: Env): Promise<void> {
  const found = await runProcess('sh', ['-c', `command -v ${shell}`], env);
  if (found.code !== 0) {
    throw new Error(`${shell} is not installed: run \`apt-get install -y ${shell}\` (.ci/run does this).`);
  }
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const lines = (text: string) => text.split('\n').filter((line) => line !== '');

/** What bash's completion offers for `words` (the last is the word being completed). */
export async function completeBash(script: string, words: string[], env: Env, cwd: string): Promise<string[]> {
  const run = await runProcess(
    'bash',
    [
      '--norc',
      '-c',
      `source ${quote(script)}; complete -p sts >&2; COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; _sts; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    env,
    cwd,
  );
  expect(run.code, describeRun(run)).toBe(0);
  expect(run.stderr).toContain('complete -o default -F _sts sts');
  return lines(run.stdout);
}

/** What fish's completion offers for `line`, with `script` sourced (the part after a tab is a description). */
export async function completeFish(script: string, line: string, env: Env, cwd: string): Promise<string[]> {
  const run = await runProcess(
    'fish',
    ['--no-config', '-c', `source ${quote(script)}; complete -C ${quote(line)}`],
    env,
    cwd,
  );
  expect(run.code, describeRun(run)).toBe(0);
  return lines(run.stdout).map((candidate) => candidate.split('\t')[0]);
}

/** The outer zsh: starts the interactive one on a pty, waits for its .zshrc, types the line and TAB. */
const DRIVER = `zmodload zsh/zpty || exit 3
zpty sts_complete env ZDOTDIR="$1" zsh -i
seen=
while zpty -r sts_complete chunk; do
  seen+=$chunk
  [[ $seen == *STS-COMPLETION-READY* ]] && break
done
print -r -- "$seen"
[[ $seen == *STS-COMPLETION-READY* ]] || exit 2
zpty -w -n sts_complete "$2"$'\\t'
while zpty -r sts_complete chunk; do :; done
zpty -d sts_complete
`;

/** The inner zsh's .zshrc: what a person adds (after their own compinit, when `userCompinit`), plus the recorder. */
const zshrc = (userCompinit: boolean) => `PS1='' RPS1=''
${userCompinit ? 'autoload -U compinit && compinit -u\n' : ''}eval "$(sts completion zsh)"
bindkey '^I' complete-word
compadd() {
  local -a __sts_matches
  builtin compadd -O __sts_matches "$@"
  (( $#__sts_matches )) && print -rl -- $__sts_matches >> "$ZDOTDIR/matches"
  builtin compadd "$@"
}
__sts_done() { print -r -- done > "$ZDOTDIR/done"; exit }
comppostfuncs=(__sts_done)
print -r -- "STS-COMPLETION-READY comps[sts]=\${_comps[sts]}"
`;

/** A directory for zsh's runs: the driver and one ZDOTDIR per .zshrc variant. */
export function zshHome(root: string): string {
  const dir = join(root, 'zsh');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'driver.zsh'), DRIVER);
  for (const userCompinit of [false, true]) {
    const dot = join(dir, userCompinit ? 'with-compinit' : 'plain');
    mkdirSync(dot, { recursive: true });
    writeFileSync(join(dot, '.zshrc'), zshrc(userCompinit));
  }
  return dir;
}

/**
 * What zsh's completion offers when `line` is typed and TAB pressed; `userCompinit` runs compinit in the
 * .zshrc before the script (as most zshrcs do), else the script runs it.
 */
export async function completeZsh(
  home: string,
  line: string,
  env: Env,
  cwd: string,
  userCompinit = false,
): Promise<string[]> {
  const dot = join(home, userCompinit ? 'with-compinit' : 'plain');
  rmSync(join(dot, 'matches'), { force: true });
  rmSync(join(dot, 'done'), { force: true });
  const run = await runProcess('zsh', ['-f', join(home, 'driver.zsh'), dot, line], env, cwd);
  expect(run.code, describeRun(run)).toBe(0);
  // bashcompinit's `complete` registered the function, as `complete -o default -F _sts sts` asks.
  expect(run.stdout).toContain('comps[sts]=_bash_complete -o default -F _sts');
  expect(existsSync(join(dot, 'done')), `zsh's completion did not run\n${describeRun(run)}`).toBe(true);
  const matches = join(dot, 'matches');
  return existsSync(matches) ? lines(readFileSync(matches, 'utf8')) : [];
}
