import { describe, expect, it } from 'vitest';
import { MAX_REASON_LENGTH } from '../../../lambdas/core/text.js';
import { runCli, tempHome } from '../../support/cli-harness.js';

/** One limit for a reason, core's, on the CLI as at the broker: checked before anyone is asked for a code. */
describe('--reason', () => {
  const env = (home: string) => ({
    HOME: home,
    STS_ENDPOINT: 'http://127.0.0.1:9',
    STS_ISSUER: 'acme',
    STS_ACCOUNT_NAME: 'alice',
    STS_ROLE: 'admin',
  });

  it.each([
    ['request', ['request']],
    ['deny', ['deny', 'r_0123456789abcdefghjkmnpqrs']],
  ])('%s refuses one character more than core allows, in core’s words, before any prompt', async (_name, argv) => {
    const home = tempHome();
    try {
      const result = await runCli([...argv, '--reason', 'é'.repeat(MAX_REASON_LENGTH + 1)], env(home.home));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`at most ${MAX_REASON_LENGTH} printable characters`);
      expect(result.stderr).not.toContain('TOTP code');
    } finally {
      home.cleanup();
    }
  });

  it('accepts exactly the limit, counted in characters, not UTF-16 units', async () => {
    const home = tempHome();
    try {
      // Astral characters are two UTF-16 units each: the CLI must not refuse what core accepts.
      const result = await runCli(['request', '--reason', '𝒳'.repeat(MAX_REASON_LENGTH)], env(home.home));
      expect(result.stderr).not.toContain('Invalid value for --reason');
    } finally {
      home.cleanup();
    }
  });
});
