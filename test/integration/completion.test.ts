/**
 * `sts completion`: the bash script, run by a real bash (`bash -n`, then the completion function with
 * COMP_WORDS / COMP_CWORD as bash's completion sets them), calling the real `sts` back for profile names
 * and pending request ids. zsh and fish are not installed here: their scripts are checked as text.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequestId } from '../../lambdas/core/ids.js';
import { describeRun, ensureBundle, makeUser, runProcess, runSts, stsBin, type User } from '../support/cli-harness.js';

let root: string;
let user: User;
let script: string;
let env: Record<string, string>;
const pendingId = newRequestId();

beforeAll(async () => {
  ensureBundle();
  root = mkdtempSync(join(tmpdir(), 'sts-completion-'));
  user = makeUser(root, 'alice');
  // `sts` on PATH, as a person's shell finds it (the script calls it back by that name).
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'sts'), `#!/bin/sh\nexec "${process.execPath}" "${stsBin}" "$@"\n`);
  chmodSync(join(bin, 'sts'), 0o755);
  env = { ...user.env, PATH: `${bin}:${user.env.PATH}` };
  for (const profile of ['work', 'staging']) {
    const saved = await runSts(['configure', '--profile', profile, '--endpoint', 'https://sts.example.com'], user);
    expect(saved.code, describeRun(saved)).toBe(0);
  }
  const requests = join(user.home, '.local', 'state', 'stsftw', 'requests');
  mkdirSync(requests, { recursive: true });
  writeFileSync(join(requests, `${pendingId}.json`), '{}');
  const printed = await runSts(['completion', 'bash'], user);
  expect(printed.code, describeRun(printed)).toBe(0);
  script = join(root, 'sts.bash');
  writeFileSync(script, printed.stdout);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What bash's completion offers for the line `words` (the last word is the one being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const line = words.map((word) => `'${word}'`).join(' ');
  const run = await runProcess(
    'bash',
    [
      '--norc',
      '-c',
      `source '${script}'; complete -p sts >&2; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _sts; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    env,
  );
  expect(run.code, describeRun(run)).toBe(0);
  expect(run.stderr).toContain('complete -o default -F _sts sts');
  return run.stdout.split('\n').filter((word) => word !== '');
}

describe('sts completion bash', () => {
  it('is a script bash accepts', async () => {
    const checked = await runProcess('bash', ['-n', script], env);
    expect(checked.code, describeRun(checked)).toBe(0);
  });

  it('completes commands and subcommands', async () => {
    expect((await complete('sts', 'co')).sort()).toEqual(['completion', 'configure', 'console']);
    expect(await complete('sts', 'update', '')).toEqual(['roles', 'authorizers', 'approvals', 'device']);
    expect(await complete('sts', 'cache', '')).toEqual(['clear']);
  });

  it('completes the options of the command on the line, past option values', async () => {
    expect(await complete('sts', 'configure', '--aws')).toEqual(['--aws-profile']);
    expect(await complete('sts', 'get', '--profile', 'work', '--wr')).toEqual(['--write-profile']);
    expect(await complete('sts', 'update', 'roles', '--acc')).toContain('--account-name');
    expect(await complete('sts', 'get', '--aws')).toEqual([]);
  });

  it('completes --profile names from the config and --format values', async () => {
    expect(await complete('sts', 'get', '--profile', '')).toEqual(['staging', 'work']);
    expect(await complete('sts', 'get', '--format', 'c')).toEqual(['credential-process']);
  });

  it('completes the ids of the requests waiting on this machine', async () => {
    expect(await complete('sts', 'wait', 'r_')).toEqual([pendingId]);
  });
});

describe('sts completion zsh and fish', () => {
  it('prints zsh the bash function through bashcompinit, and fish complete lines', async () => {
    const zsh = await runSts(['completion', 'zsh'], user);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(zsh.stdout).toContain('complete -o default -F _sts sts');
    const fish = await runSts(['completion', 'fish'], user);
    expect(fish.code).toBe(0);
    expect(fish.stdout).toContain("complete -c sts -n '__fish_seen_subcommand_from update' -a 'roles'");
    expect(fish.stdout).toContain(
      "complete -c sts -n '__fish_seen_subcommand_from get' -l profile -xa '(sts completion --list profiles 2>/dev/null)'",
    );
  });

  it('names the shells it knows when given another', async () => {
    const other = await runSts(['completion', 'tcsh'], user);
    expect(other.code).toBe(64);
    expect(other.stderr).toContain('"tcsh" is not a shell sts completes');
  });
});
