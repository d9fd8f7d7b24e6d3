import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../support/cli-harness.js';

describe('an administrator command against a broker of another version', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says the broker must be restarted, not that there is none (exit 69)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'stsftw-outdated-'));
    // A live process (this one) that wrote server.json version 1, as brokers did before the Unix socket.
    writeFileSync(
      join(dir, 'server.json'),
      JSON.stringify({ version: 1, pid: process.pid, endpoint: 'http://127.0.0.1:1', dynamodbEndpoint: 'x' }),
    );
    const result = await runCli(['list', '--local', '--data-dir', dir, '--issuer', 'acme']);
    expect(result.code).toBe(69);
    expect(result.stderr).toContain('was started by another version of stsftw');
    expect(result.stderr).toContain('start it again with `sts server`');
    expect(result.stderr).not.toContain('No local broker found');
  });
});
