/**
 * `sts completion bash|zsh|fish`, each script run by its real shell (test/support/shell-completion.ts says
 * how): `bash -n`, `zsh -n` and `fish --no-execute` first, then completion runs that call the real `sts` back
 * for profile names and pending request ids. zsh and fish missing is a failure naming the apt command.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRequestId } from '../../lambdas/core/ids.js';
import { describeRun, ensureBundle, makeUser, runProcess, runSts, stsBin, type User } from '../support/cli-harness.js';
import { completeBash, completeFish, completeZsh, requireShell, zshHome } from '../support/shell-completion.js';

let root: string;
let user: User;
let scripts: Record<'bash' | 'zsh' | 'fish', string>;
/** An empty directory to complete in (nothing for a file fallback to find). */
let cwd: string;
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
  scripts = { bash: '', zsh: '', fish: '' };
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const printed = await runSts(['completion', shell], user);
    expect(printed.code, describeRun(printed)).toBe(0);
    scripts[shell] = join(root, `sts.${shell}`);
    writeFileSync(scripts[shell], printed.stdout);
  }
  cwd = join(root, 'empty');
  mkdirSync(cwd);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const complete = (...words: string[]) => completeBash(scripts.bash, words, env, cwd);

describe('sts completion bash', () => {
  it('is a script bash accepts', async () => {
    const checked = await runProcess('bash', ['-n', scripts.bash], env);
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

describe('sts completion zsh', () => {
  let home: string;
  beforeAll(async () => {
    await requireShell('zsh', env);
    home = zshHome(root);
  });
  const zsh = (line: string, userCompinit = false) => completeZsh(home, line, env, cwd, userCompinit);

  it('is a script zsh accepts', async () => {
    const checked = await runProcess('zsh', ['-n', scripts.zsh], env);
    expect(checked.code, describeRun(checked)).toBe(0);
  });

  it('completes commands, subcommands and options when TAB is pressed in an interactive zsh', async () => {
    expect((await zsh('sts co')).sort()).toEqual(['completion', 'configure', 'console']);
    expect(await zsh('sts update ')).toEqual(['roles', 'authorizers', 'approvals', 'device']);
    expect(await zsh('sts cache ')).toEqual(['clear']);
    expect(await zsh('sts configure --aws')).toEqual(['--aws-profile']);
    expect(await zsh('sts update roles --acc')).toEqual(['--account-name']);
    expect(await zsh('sts get --profile wait --wr')).toEqual(['--write-profile']);
    expect(await zsh('sts get --aws')).toEqual([]);
  }, 60_000);

  it('completes --profile names, --format values and pending request ids', async () => {
    expect(await zsh('sts get --profile ')).toEqual(['staging', 'work']);
    expect(await zsh('sts get --format c')).toEqual(['credential-process']);
    expect(await zsh('sts wait ')).toEqual([pendingId]);
  }, 60_000);

  it('works the same after the zshrc ran compinit itself', async () => {
    expect(await zsh('sts get --profile ', true)).toEqual(['staging', 'work']);
    expect(await zsh('sts update ', true)).toEqual(['roles', 'authorizers', 'approvals', 'device']);
  }, 60_000);
});

describe('sts completion fish', () => {
  beforeAll(() => requireShell('fish', env));
  const fish = (line: string) => completeFish(scripts.fish, line, env, cwd);

  it('is a script fish accepts', async () => {
    const checked = await runProcess('fish', ['--no-execute', scripts.fish], env);
    expect(checked.code, describeRun(checked)).toBe(0);
  });

  it('completes commands, subcommands and options of the command path on the line', async () => {
    expect(await fish('sts co')).toEqual(['completion', 'configure', 'console']);
    expect(await fish('sts update ')).toEqual(['approvals', 'authorizers', 'device', 'roles']);
    expect(await fish('sts update roles ')).toEqual([]);
    expect(await fish('sts cache ')).toEqual(['clear']);
    expect(await fish('sts configure --aws')).toEqual(['--aws-profile']);
    expect(await fish('sts update roles --acc')).toEqual(['--account-name']);
    // "wait" here is the value of --profile, not the command: still get's options, no request ids.
    expect(await fish('sts get --profile wait --wr')).toEqual(['--write-profile']);
    expect(await fish('sts get --aws')).toEqual([]);
  }, 60_000);

  it('completes --profile names, --format values and pending request ids', async () => {
    expect(await fish('sts get --profile ')).toEqual(['staging', 'work']);
    expect(await fish('sts get --format c')).toEqual(['credential-process']);
    expect(await fish('sts wait ')).toEqual([pendingId]);
  }, 60_000);
});

describe('sts completion, another shell', () => {
  it('names the shells it knows when given another', async () => {
    const other = await runSts(['completion', 'tcsh'], user);
    expect(other.code).toBe(64);
    expect(other.stderr).toContain('"tcsh" is not a shell sts completes');
  });
});
