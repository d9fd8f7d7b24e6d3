/**
 * `sts configure --aws-profile NAME`: a profile of the AWS shared config file (`AWS_CONFIG_FILE`, else
 * `~/.aws/config`) whose `credential_process` runs `sts get --format credential-process`, so the AWS CLI
 * and the SDKs get credentials from the broker by themselves. Every other line stays; the file keeps its
 * mode (a new one is 0600); a symlinked file stays a symlink.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { editIniFile, removeProfile, setProfile } from './aws-profile.js';
import { awsConfigFile } from './paths.js';

type Env = Record<string, string | undefined>;

/** The section of profile `name` in the config file: `[default]`, else `[profile NAME]`. */
export function configSection(name: string): string {
  return name === 'default' ? 'default' : `profile ${name}`;
}

/**
 * One word of a POSIX command line: bare when it is plain, else in single quotes. botocore splits
 * `credential_process` with `shlex.split` (POSIX rules) and the JavaScript SDK hands it to `/bin/sh`
 * (child_process.exec): both read this quoting the same way.
 */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_/.,:@%+=-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The command that runs this `sts` again later: this Node (`process.execPath`) and the real path of the
 * script it runs (`bin/sts.cjs` through the `sts` link or `npx sts`, or `dist/sts.cjs`). Naming Node keeps
 * it working where PATH has no `node` (an IDE, a GUI app) and needs no executable bit.
 */
export function stsCommandWords(argv: readonly string[] = process.argv, execPath = process.execPath): string[] {
  const script = argv[1];
  if (!script) return [execPath];
  let path = resolve(script);
  try {
    path = realpathSync(path);
  } catch {
    // a script that is gone cannot be run anyway: keep the path as given
  }
  return [execPath, path];
}

/** The `credential_process` line for `sts` profile `stsProfile`. */
export function credentialProcess(stsProfile: string, words: readonly string[] = stsCommandWords()): string {
  return [...words, 'get', '--profile', stsProfile, '--format', 'credential-process'].map(shellWord).join(' ');
}

/**
 * Writes (or updates) AWS profile `name` to get its credentials from `sts` profile `stsProfile`, with
 * `region` when one is known (else an existing region stays).
 * @returns the file written.
 */
export function writeAwsConfigProfile(
  env: Env,
  name: string,
  stsProfile: string,
  region: string | undefined,
  words?: readonly string[],
): string {
  const values: [string, string][] = [['credential_process', credentialProcess(stsProfile, words)]];
  if (region) values.push(['region', region]);
  return editIniFile(awsConfigFile(env), (text) => setProfile(text, configSection(name), values), 'keep').path;
}

/**
 * Takes AWS profile `name` out of the config file.
 * @returns the file, and whether the profile was there.
 */
export function removeAwsConfigProfile(env: Env, name: string): { path: string; written: boolean } {
  return editIniFile(awsConfigFile(env), (text) => removeProfile(text, configSection(name)), 'keep');
}
