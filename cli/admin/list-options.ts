/** Role and authorizer lists as operators type them: repeated flags, commas, spaces, or an env variable. */
import { parseList } from '../../lambdas/core/entries.js';

/**
 * Merges repeated flag values (each may itself be a list: roles comma- or space-separated, names
 * comma-separated since they may have inner spaces), falling back to the environment variable only when
 * the flag is absent. Returns undefined when neither is given.
 */
export function listOption(
  values: readonly string[] | undefined,
  envValue: string | undefined,
  kind: 'roles' | 'names' = 'roles',
): string[] | undefined {
  if (values !== undefined && values.length > 0) return [...new Set(values.flatMap((v) => parseList(v, kind)))];
  if (envValue !== undefined) return parseList(envValue, kind);
  return undefined;
}
