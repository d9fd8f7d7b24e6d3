/**
 * Where the CLI keeps its files (XDG base directories, with the usual fallbacks under $HOME).
 * Everything takes the environment explicitly so tests can point it at a temporary HOME.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

type Env = Record<string, string | undefined>;

/** The user's home: `$HOME` when set (tests), else what the OS reports. */
export function homeDir(env: Env): string {
  return env.HOME || homedir();
}

function xdg(env: Env, variable: string, fallback: string[]): string {
  const base = env[variable];
  // XDG says relative values are invalid and must be ignored.
  return base?.startsWith('/') ? join(base, 'stsftw') : join(homeDir(env), ...fallback, 'stsftw');
}

/** `$XDG_CONFIG_HOME/stsftw` else `~/.config/stsftw`: the profiles file. */
export function configDir(env: Env): string {
  return xdg(env, 'XDG_CONFIG_HOME', ['.config']);
}

/** `$XDG_STATE_HOME/stsftw` else `~/.local/state/stsftw`: pending request keys, the cache key. */
export function stateDir(env: Env): string {
  return xdg(env, 'XDG_STATE_HOME', ['.local', 'state']);
}

/** `$XDG_CACHE_HOME/stsftw` else `~/.cache/stsftw`: the encrypted credential cache. */
export function cacheDir(env: Env): string {
  return xdg(env, 'XDG_CACHE_HOME', ['.cache']);
}

/** The AWS shared credentials file: `AWS_SHARED_CREDENTIALS_FILE` else `~/.aws/credentials`. */
export function awsCredentialsFile(env: Env): string {
  return env.AWS_SHARED_CREDENTIALS_FILE || join(homeDir(env), '.aws', 'credentials');
}

/** The AWS shared config file: `AWS_CONFIG_FILE` else `~/.aws/config`. */
export function awsConfigFile(env: Env): string {
  return env.AWS_CONFIG_FILE || join(homeDir(env), '.aws', 'config');
}
