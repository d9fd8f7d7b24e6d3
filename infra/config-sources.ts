/**
 * Where configuration comes from: the config file (default `stsftw.config.json`, or the path in context
 * `configFile`), then CDK context (`cdk.json` "context" or `-c key=value`), which wins key by key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, configKeys } from './config.js';

/** The config file read when context `configFile` is not set (relative to the working directory). */
export const DEFAULT_CONFIG_FILE = 'stsftw.config.json';

/**
 * Merges the config file and CDK context into the raw input of `parseConfig`.
 * @param getContext reads one context key (`app.node.tryGetContext`).
 * @param cwd directory relative paths are resolved against.
 * @throws ConfigError when an explicitly named config file is missing or the file is not a JSON object.
 */
export function readConfigInput(getContext: (key: string) => unknown, cwd: string): Record<string, unknown> {
  const named = getContext('configFile');
  if (named !== undefined && (typeof named !== 'string' || named === '')) {
    throw new ConfigError('configFile', 'Context key "configFile" must be the path of a JSON file.');
  }
  const path = resolve(cwd, named ?? DEFAULT_CONFIG_FILE);
  let fromFile: Record<string, unknown> = {};
  if (existsSync(path)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ConfigError('configFile', `Config file ${path} is not valid JSON (${(error as Error).message}).`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError('configFile', `Config file ${path} must hold one JSON object of configuration keys.`);
    }
    fromFile = parsed as Record<string, unknown>;
  } else if (named !== undefined) {
    throw new ConfigError('configFile', `Context key "configFile" names ${path}, which does not exist.`);
  }
  const fromContext: Record<string, unknown> = {};
  for (const key of configKeys) {
    const value = getContext(key);
    if (value !== undefined) fromContext[key] = value;
  }
  return { ...fromFile, ...fromContext };
}
