import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildCli } from '../../../cli/cli.js';
import { runCli } from '../../support/cli-harness.js';

/** stdout of `sts argv` with colours on, as bin/sts.cjs runs it on a terminal. */
async function colouredStdout(argv: string[]): Promise<string> {
  let text = '';
  const stdout = new Writable({
    write(chunk, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  const cli = buildCli();
  (cli as { enableColors?: boolean }).enableColors = true;
  const code = await cli.run(argv, { stdin: new PassThrough(), stdout, stderr: stdout, env: {}, colorDepth: 8 });
  expect(code).toBe(0);
  return text;
}

describe('help', () => {
  it('sts --help lists the requester and approver commands by category', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    for (const text of [
      'Requester',
      'Approver',
      'sts request',
      'sts wait',
      'sts get',
      'sts exec',
      'sts approve',
      'sts deny',
      'sts status',
      'sts configure',
    ]) {
      expect(result.stdout).toContain(text);
    }
    expect(result.stdout).toContain('Examples');
    expect(result.stdout).toContain('$ sts request --role admin');
    expect(result.stdout).toContain('credential_process = sts get');
  });

  it('sts --help lists the everyday commands aws-vault and Granted users reach for, each with an example', async () => {
    const result = await runCli(['--help'], {});
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the colours' escape sequences
    const plain = result.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    const [commands, examples] = plain.split('\nExamples\n');
    for (const command of ['sts console', 'sts login', 'sts profiles', 'sts whoami', 'sts completion']) {
      expect(commands).toContain(`  ${command} `);
    }
    for (const example of [
      '$ sts console --role admin',
      '$ sts configure --profile default --aws-profile ',
      '$ sts exec --server --role admin -- ',
      '$ sts profiles',
      '$ sts whoami',
      '$ eval "$(sts completion bash)"',
    ]) {
      expect(examples).toContain(example);
    }
  });

  it.each([
    'request',
    'wait',
    'status',
    'get',
    'exec',
    'console',
    'login',
    'whoami',
    'profiles',
    'approve',
    'deny',
    'configure',
  ])('sts %s --help shows details and examples', async (command) => {
    const result = await runCli([command, '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Details');
    expect(result.stdout).toContain('Examples');
    expect(result.stdout).toContain(`sts ${command}`);
  });

  it('sts update --help lists its subcommands; sts update alone is a usage error', async () => {
    const help = await runCli(['update', '--help'], {});
    expect(help.code).toBe(0);
    for (const sub of ['update roles', 'update authorizers', 'update approvals', 'update device']) {
      expect(help.stdout).toContain(sub);
    }
    const bare = await runCli(['update'], {});
    expect(bare.code).toBe(64);
    expect(bare.stderr).toContain('needs a subcommand');
  });

  it('sts --help lists sts update approvals with an example of per-role rules', async () => {
    const result = await runCli(['--help'], {});
    expect(result.stdout).toMatch(/sts update approvals .*\n.*Set or clear the approval rules of an account/);
    expect(result.stdout).toContain(
      "$ sts update approvals --issuer acme --account-name alice ReadOnly=0 Admin=1 'BreakGlass=2:sec1,sec2'",
    );
    const own = await runCli(['update', 'approvals', '--help'], {});
    expect(own.code).toBe(0);
    expect(own.stdout).toContain('--clear');
  });

  it("sts deny --help describes the reason as the approver's", async () => {
    const result = await runCli(['deny', '--help'], {});
    expect(result.stdout).toContain('Why you deny it');
  });

  it("sts --help and a command's --help on a terminal keep their colours, byte for byte", async () => {
    await expect(await colouredStdout(['--help'])).toMatchFileSnapshot('__snapshots__/sts-help-coloured.txt');
    await expect(await colouredStdout(['update', 'roles', '--help'])).toMatchFileSnapshot(
      '__snapshots__/sts-update-roles-help-coloured.txt',
    );
  });
});
