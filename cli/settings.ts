/**
 * Connection settings: flag, then environment variable, then the config-file profile, then default
 * (STSFTW 1.0's `STS_*` names). The config file is `$XDG_CONFIG_HOME/stsftw/config.json`:
 * `{ "profiles": { "<name>": { endpoint, issuer, accountName, role, secondaryAuthorizer } } }`.
 * Only node:fs here: the warm credential_process path resolves settings before loading anything heavy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CliError, ExitCode } from './errors.js';
import { ensurePrivateDir, writePrivateFile } from './files.js';
import { configDir } from './paths.js';

type Env = Record<string, string | undefined>;

/** One named profile of the config file. */
export interface Profile {
  endpoint?: string;
  issuer?: string;
  accountName?: string;
  role?: string;
  secondaryAuthorizer?: string;
  /** The AWS region `sts exec` gives its command when the environment names none. */
  region?: string;
}

/** The config file. */
export interface ConfigFile {
  profiles: Record<string, Profile>;
}

/** The values given on the command line (clipanion already folds in the `STS_*` variables it binds). */
export interface SettingFlags extends Profile {
  profile?: string;
  local?: boolean;
  dataDir?: string;
}

/** Resolved settings; `endpoint` etc. stay undefined when nothing sets them (commands require what they need). */
export interface Settings extends Profile {
  profileName: string;
  local: boolean;
  /** Absolute data dir of the embedded broker (`--data-dir`, `STS_DATA_DIR`, default `./.stsftw`). */
  dataDir: string;
}

/** The profile used when none is named. */
export const DEFAULT_PROFILE = 'default';
/** Where `sts server` keeps its data when no `--data-dir` / `STS_DATA_DIR` is given. */
export const DEFAULT_DATA_DIR = './.stsftw';

const profileFields = ['endpoint', 'issuer', 'accountName', 'role', 'secondaryAuthorizer', 'region'] as const;

/** `$XDG_CONFIG_HOME/stsftw/config.json` (else `~/.config/stsftw/config.json`). */
export function configPath(env: Env): string {
  return join(configDir(env), 'config.json');
}

/** Reads the config file; a missing file is an empty config, a broken one a clear error. */
export function readConfig(env: Env): ConfigFile {
  const path = configPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: {} };
    throw new CliError(`Cannot read ${path} (${(e as NodeJS.ErrnoException).code}): check its permissions.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON: fix it, or rewrite it with \`sts configure\`.`);
  }
  const profiles = (parsed as ConfigFile | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw new CliError(`${path} has no "profiles" object: fix it, or rewrite it with \`sts configure\`.`);
  }
  const clean: Record<string, Profile> = {};
  for (const [name, profile] of Object.entries(profiles)) {
    const entry: Profile = {};
    for (const field of profileFields) {
      const value = (profile as Record<string, unknown> | null)?.[field];
      if (typeof value === 'string' && value !== '') entry[field] = value;
    }
    clean[name] = entry;
  }
  return { profiles: clean };
}

/**
 * Merges `changes` into profile `name` and writes the file atomically (temp + rename, mode 0600).
 * @returns the config file path.
 */
export function saveProfile(env: Env, name: string, changes: Profile): string {
  const path = configPath(env);
  const config = readConfig(env);
  const profile = { ...config.profiles[name] };
  for (const field of profileFields) {
    if (changes[field] !== undefined) profile[field] = changes[field];
  }
  config.profiles[name] = profile;
  ensurePrivateDir(dirname(path));
  writePrivateFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** Reads `<dataDir>/server.json` (written by `sts server`) and returns its `endpoint`. */
export function localEndpoint(dataDir: string): string {
  const file = join(dataDir, 'server.json');
  const missing = new CliError(
    `No local broker found in ${dataDir}: start one with \`sts server --data-dir ${dataDir}\`, or drop --local.`,
    ExitCode.unavailable,
  );
  if (!existsSync(file)) throw missing;
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as { endpoint?: unknown };
    if (typeof info.endpoint === 'string' && info.endpoint) return info.endpoint;
  } catch {
    // fall through: a half-written or foreign file reads as "no broker here"
  }
  throw missing;
}

/** Flag (or its bound `STS_*` variable), then environment, then profile, then default. */
export function resolveSettings(flags: SettingFlags, env: Env): Settings {
  const named = flags.profile ?? env.STS_PROFILE;
  const profileName = named ?? DEFAULT_PROFILE;
  const config = readConfig(env);
  const profile = config.profiles[profileName];
  if (named !== undefined && !profile) {
    throw new CliError(
      `No profile "${profileName}" in ${configPath(env)}: create it with \`sts configure --profile ${profileName} --endpoint URL …\`.`,
    );
  }
  const pick = (field: (typeof profileFields)[number], variable: string): string | undefined =>
    nonEmpty(flags[field]) ?? nonEmpty(env[variable]) ?? profile?.[field];
  const dataDir = resolve(nonEmpty(flags.dataDir) ?? nonEmpty(env.STS_DATA_DIR) ?? DEFAULT_DATA_DIR);
  const local = flags.local === true;
  return {
    profileName,
    local,
    dataDir,
    // --local means "the broker in this data dir", whatever else is configured.
    endpoint: local ? localEndpoint(dataDir) : pick('endpoint', 'STS_ENDPOINT'),
    issuer: pick('issuer', 'STS_ISSUER'),
    accountName: pick('accountName', 'STS_ACCOUNT_NAME'),
    role: pick('role', 'STS_ROLE'),
    secondaryAuthorizer: pick('secondaryAuthorizer', 'STS_SECONDARY_ACCOUNT_NAME'),
    region: nonEmpty(flags.region) ?? profile?.region, // AWS_REGION is for `sts exec` to respect, not to copy
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
