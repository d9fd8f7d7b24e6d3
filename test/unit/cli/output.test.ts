import { describe, expect, it } from 'vitest';
import { formatCredentials } from '../../../cli/output.js';

const odd = {
  AccessKeyId: 'LOCAL-ASIA',
  SecretAccessKey: "it's $(local)",
  SessionToken: 'a b\\c',
  Expiration: '2030-01-01T00:00:00.000Z',
};

describe('formatCredentials', () => {
  it('quotes env values only when a shell would mangle them', () => {
    expect(formatCredentials(odd, 'env')).toBe(
      "export AWS_ACCESS_KEY_ID=LOCAL-ASIA\nexport AWS_SECRET_ACCESS_KEY='it'\\''s $(local)'\nexport AWS_SESSION_TOKEN='a b\\c'\nexport AWS_CREDENTIAL_EXPIRATION=2030-01-01T00:00:00.000Z\n",
    );
  });

  it('escapes fish and PowerShell single quotes', () => {
    expect(formatCredentials(odd, 'fish')).toContain("set -gx AWS_SECRET_ACCESS_KEY 'it\\'s $(local)';\n");
    expect(formatCredentials(odd, 'fish')).toContain("set -gx AWS_SESSION_TOKEN 'a b\\\\c';\n");
    expect(formatCredentials(odd, 'powershell')).toContain("$Env:AWS_SECRET_ACCESS_KEY = 'it''s $(local)'\n");
  });
});
