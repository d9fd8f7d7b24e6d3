import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalBroker, runCli, ScriptedTerminal, startLocalBroker } from '../../../support/cli-harness.js';

describe('sts remove', () => {
  let broker: LocalBroker;
  let n = 0;
  let account: string;
  let who: string[];

  beforeAll(async () => {
    broker = await startLocalBroker();
  });
  afterAll(async () => {
    await broker.close();
  });
  beforeEach(async () => {
    account = `user${++n}`;
    who = [...broker.localArgs, '--issuer', 'acme', '--account-name', account];
    expect((await runCli(['enroll', ...who, '--no-verify', '--json'])).code).toBe(0);
  });

  it('removes after a yes at the prompt', async () => {
    const terminal = new ScriptedTerminal(() => 'y');
    const result = await runCli(['remove', ...who], {}, { terminal });
    expect(result).toEqual({ code: 0, stdout: `Removed ${account} from acme.\n`, stderr: '' });
    expect(terminal.questions).toEqual([`Remove ${account} from acme? Its TOTP device stops working. [y/N] `]);
    expect(await broker.rawItem('acme', account)).toBeUndefined();
  });

  it('keeps the entry on any other answer', async () => {
    const result = await runCli(['remove', ...who], {}, { terminal: new ScriptedTerminal(() => '') });
    expect(result).toMatchObject({ code: 1, stderr: 'Nothing was removed.\n' });
    expect(await broker.rawItem('acme', account)).toBeDefined();
  });

  it('needs --yes without a terminal', async () => {
    const result = await runCli(['remove', ...who]);
    expect(result).toMatchObject({
      code: 2,
      stderr: 'sts: No terminal to confirm on: pass --yes to remove without asking.\n',
    });
    const yes = await runCli(['remove', ...who, '--yes', '--json']);
    expect(yes.code).toBe(0);
    expect(JSON.parse(yes.stdout)).toEqual({ issuer: 'acme', accountName: account, removed: true });
    expect(await broker.rawItem('acme', account)).toBeUndefined();
  });

  it('reports an unknown account with exit code 5', async () => {
    const result = await runCli(['remove', ...broker.localArgs, '--issuer', 'acme', '--account-name', 'ghost', '-y']);
    expect(result).toMatchObject({
      code: 5,
      stderr: 'sts: ghost is not enrolled in acme: check the names, or run `sts enroll`.\n',
    });
  });
});
