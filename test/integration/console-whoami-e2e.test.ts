/**
 * Issue 12 §1 and §4 as people run them: `sts server`, and `sts exec`, `sts whoami`, `sts console` as child
 * processes of the bundle. `sts whoami` runs inside the command of a real `sts exec` and reads what it
 * exported; afterwards the cache answers it; `sts console` refuses the embedded broker's credentials (they
 * are not valid on AWS) without calling any federation endpoint. Nothing here is timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CodeBook,
  describeRun,
  enroll,
  ensureBundle,
  makeUser,
  runSts,
  type ServerProcess,
  startServer,
  stsBin,
} from '../support/cli-harness.js';

const ISSUER = 'i12';
const ROLE = 'Admin';

let root: string;
let server: ServerProcess | undefined;
const codes = new CodeBook();

beforeAll(async () => {
  ensureBundle();
  root = mkdtempSync(join(tmpdir(), 'sts-i12-'));
  server = await startServer({
    dataDir: join(root, 'broker'),
    approvalTimeoutSeconds: 120,
    home: join(root, 'server'),
  });
  codes.add(await enroll(server.dataDir, ISSUER, { accountName: 'solo', roles: [ROLE] }));
}, 180_000);

afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('sts whoami and sts console against sts server', () => {
  it('whoami inside sts exec, then from the cache; console refuses local credentials', async () => {
    const dataDir = server?.dataDir ?? '';
    const user = makeUser(root, 'requester');
    const settings = ['--local', '--data-dir', dataDir, '--issuer', ISSUER, '--account-name', 'solo', '--role', ROLE];
    const inside = await runSts(
      [
        'exec',
        ...settings,
        '--totp-code',
        await codes.next('solo'),
        '--',
        process.execPath,
        stsBin,
        'whoami',
        '--json',
      ],
      user,
    );
    expect(inside.code, describeRun(inside)).toBe(0);
    const seen = JSON.parse(inside.stdout);
    expect(seen).toMatchObject({
      source: 'environment',
      profile: 'default',
      issuer: ISSUER,
      accountName: 'solo',
      role: ROLE,
      approvers: [],
      expired: false,
    });
    expect(seen.requestId).toMatch(/^r_[0-9a-z]{26}$/);

    const cached = await runSts(['whoami', ...settings, '--json'], user);
    expect(cached.code, describeRun(cached)).toBe(0);
    expect(JSON.parse(cached.stdout)).toMatchObject({ source: 'cache', requestId: seen.requestId, approvers: [] });

    const console = await runSts(['console', ...settings, '--print-url'], user, {
      STSFTW_TEST_FEDERATION_URL: 'http://127.0.0.1:1/federation', // never reached: refused before
    });
    expect(console.code, describeRun(console)).toBe(64);
    expect(console.stderr).toMatch(/^sts: These credentials come from the embedded broker/m);
    expect(console.stdout).toBe('');
  });
});
