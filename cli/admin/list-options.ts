/** Role and authorizer lists as operators type them: repeated flags, commas, spaces, or an env variable. */
import { parseList } from '../../lambdas/core/entries.js';

/**
 * Merges repeated flag values (each may itself be a comma- or space-separated list), falling back to the
 * environment variable only when the flag is absent. Returns undefined when neither is given.
 */
export function listOption(values: readonly string[] | undefined, envValue: string | undefined): string[] | undefined {
  if (values !== undefined && values.length > 0) return parseList(values.join(','));
  if (envValue !== undefined) return parseList(envValue);
  return undefined;
}
