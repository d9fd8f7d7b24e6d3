import { describe, expect, it } from 'vitest';
import { runSts } from './harness.js';

describe('help', () => {
  it('sts --help lists the requester and approver commands by category', async () => {
    const result = await runSts(['--help'], {});
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

  it.each(['request', 'wait', 'status', 'get', 'exec', 'approve', 'deny', 'configure'])(
    'sts %s --help shows details and examples',
    async (command) => {
      const result = await runSts([command, '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Details');
      expect(result.stdout).toContain('Examples');
      expect(result.stdout).toContain(`sts ${command}`);
    },
  );
});
