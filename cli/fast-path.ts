/**
 * The warm credential_process path: `sts get … --format credential-process` with fresh credentials in the
 * cache answers from here, before clipanion, HPKE or any command module is loaded. Anything this small
 * parser does not fully understand falls back to the real CLI, which then does the same thing slowly.
 */
import { readCachedCredentials } from './credential-cache.js';
import { formatCredentials } from './output.js';
import { resolveSettings, type SettingFlags } from './settings.js';

type Env = Record<string, string | undefined>;

const VALUE_FLAGS: Record<string, keyof SettingFlags | 'format' | null> = {
  '--endpoint': 'endpoint',
  '--issuer': 'issuer',
  '--account-name': 'accountName',
  '--role': 'role',
  '--secondary-authorizer': 'secondaryAuthorizer',
  '--profile': 'profile',
  '--data-dir': 'dataDir',
  '--format': 'format',
  // accepted and ignored: they only matter when new credentials are needed
  '--totp-code': null,
  '--secondary-totp-code': null,
  '--duration': null,
  // not here: `--reason` and `--no-cache` ask for new credentials, so the CLI handles them
};

/**
 * The credential_process document for `argv` when the cache can answer, else undefined.
 * Never throws: any doubt means "let the CLI handle it".
 */
export function warmCredentialProcess(argv: string[], env: Env, now: number): string | undefined {
  try {
    if (argv[0] !== 'get') return undefined;
    const flags: SettingFlags & { format?: string } = {};
    for (let i = 1; i < argv.length; i++) {
      const token = argv[i];
      if (token === '--local') {
        flags.local = true;
        continue;
      }
      const eq = token.indexOf('=');
      const name = eq > 0 ? token.slice(0, eq) : token;
      if (!(name in VALUE_FLAGS)) return undefined;
      const value = eq > 0 ? token.slice(eq + 1) : argv[++i];
      if (value === undefined) return undefined;
      const field = VALUE_FLAGS[name];
      if (field) (flags as Record<string, unknown>)[field] = value;
    }
    if (flags.format !== 'credential-process') return undefined;
    // clipanion binds these flags to the same variables; resolveSettings falls back to them too.
    const settings = resolveSettings(flags, env);
    const { endpoint, issuer, accountName, role } = settings;
    if (!endpoint || !issuer || !accountName || !role) return undefined;
    const cached = readCachedCredentials(env, { endpoint, issuer, accountName, role }, now);
    return cached ? formatCredentials(cached, 'credential-process') : undefined;
  } catch {
    return undefined;
  }
}
