import { describe, expect, it } from 'vitest';
import { editDistance, nearest } from '../../../cli/suggest.js';
import { runCli } from '../../support/cli-harness.js';

const ID = 'r_0123456789abcdefghjkmnpqrs';

/** The one sentence a typo gets: on stderr (stdout may be `$(…)`), exit 1 as for any flag that does not parse. */
async function typo(argv: string[]) {
  const result = await runCli(argv, {});
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^sts: /);
  expect(result.stderr).not.toContain('Unknown Syntax Error');
  return result.stderr;
}

describe('typos get a "did you mean"', () => {
  it('suggests the nearest command, not the whole command list', async () => {
    const said = await typo(['aprove', ID]);
    expect(said).toContain('"aprove" is not an sts command');
    expect(said).toContain('Did you mean `sts approve`?');
    expect(said).not.toContain('sts -h');
    expect(said).not.toContain('sts wait');
  });

  it.each([
    [['requets'], 'sts request'],
    [['staus', ID], 'sts status'],
    [['exce', '--', 'ls'], 'sts exec'],
    [['update', 'rols', 'Admin'], 'sts update roles'],
    [['cache', 'clar'], 'sts cache clear'],
    [['update', 'device', 'x'], undefined],
  ])('%j → %s', async (argv, suggestion) => {
    const said = await typo(argv);
    if (suggestion) expect(said).toContain(`Did you mean \`${suggestion}\`?`);
  });

  it('suggests the nearest option of the command', async () => {
    const said = await typo(['request', '--acount-name', 'bob']);
    expect(said).toContain('`sts request` has no option --acount-name');
    expect(said).toContain('Did you mean --account-name?');
    expect(said).toContain('sts request --help');
  });

  it('finds the option when written --name=value, and for subcommands', async () => {
    expect(await typo(['get', '--formt=json'])).toContain('Did you mean --format?');
    expect(await typo(['update', 'roles', '--isuer', 'acme', 'Admin'])).toContain('Did you mean --issuer?');
  });

  it('names every equally near option', async () => {
    const said = await typo(['approve', ID, '--yess']);
    expect(said).toContain('Did you mean --yes?');
  });

  it('says where to look when nothing is near', async () => {
    const command = await typo(['frobnicate']);
    expect(command).toContain('"frobnicate" is not an sts command');
    expect(command).not.toContain('Did you mean');
    expect(command).toContain('sts --help');
    const option = await typo(['request', '--zzzzzzzz']);
    expect(option).not.toContain('Did you mean');
    expect(option).toContain('sts request --help');
  });

  it('suggests --version for a top-level typo', async () => {
    expect(await typo(['--verison'])).toContain('Did you mean `sts --version`?');
  });

  it('never repeats a secret from the command line', async () => {
    const said = await typo(['aprove', ID, '--totp-code', '123456']);
    expect(said).not.toContain('123456');
    const option = await typo(['get', '--totp-cod', '654321']);
    expect(option).not.toContain('654321');
  });

  it('a value that does not parse is one sentence on stderr too', async () => {
    const said = await typo(['get', '--format', 'yaml']);
    expect(said).toContain('--format');
    expect(said).toContain('sts get --help');
    expect(said.trim().split('\n')).toHaveLength(1);
  });

  it('a missing positional names the command', async () => {
    const said = await typo(['approve']);
    expect(said).toContain('sts approve --help');
  });
});

describe('nearest', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('requets', 'request')).toBe(1);
    expect(editDistance('aprove', 'approve')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('keeps only close candidates, all of the closest', () => {
    expect(nearest('aprove', ['approve', 'remove', 'request'])).toEqual(['approve']);
    expect(nearest('xyzzy', ['approve', 'remove'])).toEqual([]);
    expect(nearest('--rol', ['--role', '--roles'])).toEqual(['--role']);
    expect(nearest('deni', ['deny', 'exec'])).toEqual(['deny']);
  });
});
