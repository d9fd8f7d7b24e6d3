/**
 * Connection settings: flag, then environment variable, then the config-file profile, then default
 * (STSFTW 1.0's `STS_*` names). The config file is `$XDG_CONFIG_HOME/stsftw/config.json`:
 * `{ "profiles": { "<name>": { endpoint, issuer, accountName, role, secondaryAuthorizer, local, dataDir } } }`.
 * Only node:fs here: the warm credential_process path resolves settings before loading anything heavy.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ensurePrivateDir, writePrivateFile } from './files.js';
import { localEndpoint } from './local-broker.js';
import { configDir } from './paths.js';
import {
  configBroken,
  configUnreadable,
  missingSettingsError,
  noSuchProfile,
  type RequiredSetting,
} from './sentences/settings.js';

type Env = Record<string, string | undefined>;

/** One named profile of the config file. */
export interface Profile {
  endpoint?: string;
  issuer?: string;
  accountName?: string;
  role?: string;
  secondaryAuthorizer?: string;
  /** Use the embedded broker (`sts configure --local`): in `dataDir`, else the default data dir. */
  local?: boolean;
  /** Absolute data dir of the embedded broker (also where `sts server` keeps its data). */
  dataDir?: string;
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
  /** `--local` (true), `--no-local` (false), or not given (the profile decides). */
  local?: boolean;
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
    throw configUnreadable(path, (e as NodeJS.ErrnoException).code);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw configBroken(path, 'json');
  }
  const profiles = (parsed as ConfigFile | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) {
    throw configBroken(path, 'profiles');
  }
  const clean: Record<string, Profile> = {};
  for (const [name, profile] of Object.entries(profiles)) {
    const entry: Profile = {};
    for (const field of profileFields) {
      const value = (profile as Record<string, unknown> | null)?.[field];
      if (typeof value === 'string' && value !== '') entry[field] = value;
    }
    const { local, dataDir } = (profile ?? {}) as Record<string, unknown>;
    if (local === true) entry.local = true;
    if (typeof dataDir === 'string' && dataDir !== '') entry.dataDir = dataDir;
    clean[name] = entry;
  }
  return { profiles: clean };
}

/** Changes to a profile: a value sets the field, `null` removes it, `undefined` leaves it. */
export type ProfileChanges = { [K in keyof Profile]?: Profile[K] | null };

/**
 * Merges `changes` into profile `name` and writes the file atomically (temp + rename, mode 0600).
 * @returns the config file path.
 */
export function saveProfile(env: Env, name: string, changes: ProfileChanges): string {
  const path = configPath(env);
  const config = readConfig(env);
  const profile: Record<string, unknown> = { ...config.profiles[name] };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete profile[field];
    else if (value !== undefined) profile[field] = value;
  }
  config.profiles[name] = profile as Profile;
  ensurePrivateDir(dirname(path));
  writePrivateFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/** Flag (or its bound `STS_*` variable), then environment, then profile, then default. */
export function resolveSettings(flags: SettingFlags, env: Env): Settings {
  const settings = resolveProfileSettings(flags, env);
  return { ...settings, endpoint: brokerEndpoint(settings) };
}

/** The broker to talk to: in local mode the one running in the data dir, whatever else is configured. */
export function brokerEndpoint(settings: Settings): string | undefined {
  return settings.local ? localEndpoint(settings.dataDir) : settings.endpoint;
}

/**
 * The same resolution without looking for the local broker: `endpoint` is only what is configured.
 * Local mode is `--local` / `--no-local`, else off when an endpoint is given (flag or STS_ENDPOINT),
 * else the profile's `local`.
 */
export function resolveProfileSettings(flags: SettingFlags, env: Env): Settings {
  const named = flags.profile ?? env.STS_PROFILE;
  const profileName = named ?? DEFAULT_PROFILE;
  const config = readConfig(env);
  const profile = config.profiles[profileName];
  if (named !== undefined && !profile) {
    throw noSuchProfile(profileName, configPath(env));
  }
  const pick = (field: (typeof profileFields)[number], variable: string): string | undefined =>
    nonEmpty(flags[field]) ?? nonEmpty(env[variable]) ?? profile?.[field];
  const dataDir = resolve(
    nonEmpty(flags.dataDir) ?? nonEmpty(env.STS_DATA_DIR) ?? profile?.dataDir ?? DEFAULT_DATA_DIR,
  );
  const explicitEndpoint = nonEmpty(flags.endpoint) ?? nonEmpty(env.STS_ENDPOINT);
  const local = flags.local ?? (explicitEndpoint ? false : profile?.local === true);
  return {
    profileName,
    local,
    dataDir,
    endpoint: pick('endpoint', 'STS_ENDPOINT'),
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

/**
 * The values of `keys` in `values`, or one error naming every one that is unset or empty.
 * @throws CliError (exit 64) listing all missing settings.
 */
export function requireSettings<K extends RequiredSetting>(
  values: Partial<Record<RequiredSetting, string | undefined>>,
  keys: readonly K[],
): Record<K, string> {
  const missing = keys.filter((key) => !values[key]);
  if (missing.length > 0) throw missingSettingsError(missing);
  return Object.fromEntries(keys.map((key) => [key, values[key]])) as Record<K, string>;
}
