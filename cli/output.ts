/** How credentials are printed: shell snippets, JSON, or the AWS credential_process document. */
import type { CachedCredentials as Credentials } from './credential-cache.js';

/** Values of `--format`. */
export const credentialFormats = ['env', 'fish', 'powershell', 'json', 'credential-process'] as const;
/** One of `credentialFormats`. */
export type CredentialFormat = (typeof credentialFormats)[number];

/** The four variables AWS SDKs and CLIs read (plus the expiry, which some of them honour). */
export function credentialEnv(credentials: Credentials): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
    AWS_SESSION_TOKEN: credentials.SessionToken,
    AWS_CREDENTIAL_EXPIRATION: credentials.Expiration,
  };
}

/** Quotes for POSIX shells only when needed, so plain keys (and names in printed commands) stay as they are. */
export function posixValue(value: string): string {
  return /^[A-Za-z0-9+/=._:@%-]*$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The text `sts` prints for `format` (always ending with a newline). */
export function formatCredentials(credentials: Credentials, format: CredentialFormat): string {
  const vars = Object.entries(credentialEnv(credentials));
  switch (format) {
    case 'env':
      return vars.map(([name, value]) => `export ${name}=${posixValue(value)}\n`).join('');
    case 'fish':
      return vars.map(([name, value]) => `set -gx ${name} '${value.replace(/[\\']/g, '\\$&')}';\n`).join('');
    case 'powershell':
      return vars.map(([name, value]) => `$Env:${name} = '${value.replaceAll("'", "''")}'\n`).join('');
    case 'json':
      return `${JSON.stringify(pick(credentials), null, 2)}\n`;
    case 'credential-process':
      return `${JSON.stringify({ Version: 1, ...pick(credentials) })}\n`;
  }
}

function pick(c: Credentials): Credentials {
  return {
    AccessKeyId: c.AccessKeyId,
    SecretAccessKey: c.SecretAccessKey,
    SessionToken: c.SessionToken,
    Expiration: c.Expiration,
  };
}
