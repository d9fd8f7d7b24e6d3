/**
 * `sts server` as a child process: what it tells the person who started it. Nothing is timed; limits only
 * turn a hang into a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, ensureBundle, makeUser, runSts, spawnSts } from '../support/cli-harness.js';

let root: string;

beforeAll(() => {
  ensureBundle();
  root = mkdtempSync(join(tmpdir(), 'sts-server-cmd-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('sts server', () => {
  it('--minter aws without AWS credentials says so as the broker, not "check the broker\'s logs"', async () => {
    // No credentials anywhere the SDK looks: no AWS_* variables (cleanEnv), a fresh HOME, no instance metadata.
    const user = makeUser(root, 'no-aws', { AWS_EC2_METADATA_DISABLED: 'true' });
    const dataDir = join(root, 'no-aws-data');
    const run = await runSts(['server', '--minter', 'aws', '--port', '0', '--data-dir', dataDir], user);
    expect(run.code, describeRun(run)).toBe(1);
    expect(run.stderr).toBe(
      'sts: --minter aws needs AWS credentials for this process (e.g. AWS_PROFILE); none worked — use --minter local to try things out\n',
    );
    expect(run.stderr).not.toContain("broker's logs");
    expect(existsSync(join(dataDir, 'server.json'))).toBe(false);
  });

  it("keeps its data in the profile's data dir (`sts configure --local --data-dir`), not ./.stsftw", async () => {
    const user = makeUser(root, 'profiled');
    const dataDir = join(root, 'profiled-data');
    mkdirSync(join(user.env.XDG_CONFIG_HOME, 'stsftw'), { recursive: true });
    writeFileSync(
      join(user.env.XDG_CONFIG_HOME, 'stsftw', 'config.json'),
      JSON.stringify({ profiles: { default: { local: true, dataDir } } }),
    );
    const server = spawnSts(['server', '--port', '0'], user);
    let exited = false;
    void server.done.then(() => {
      exited = true;
    });
    // The banner goes to stdout; the limit only turns a hang into a failure.
    for (let i = 0; i < 600 && !exited && !server.stdout().includes('listening on'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(server.stdout()).toContain(`Data: ${dataDir}`);
    expect(existsSync(join(dataDir, 'server.json'))).toBe(true);
    server.child.kill('SIGTERM');
    const run = await server.done;
    expect(run.code, describeRun(run)).toBe(0);
  });
});
