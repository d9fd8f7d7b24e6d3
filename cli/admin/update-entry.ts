/** The shared tail of `sts update roles|authorizers|approvals`: write the change, report the entry as it now is. */
import { entryView } from '../../lambdas/core/entries.js';
import { isAppError } from '../../lambdas/core/errors.js';
import type { AuthStore } from '../../lambdas/core/ports.js';
import type { AuthEntry } from '../../lambdas/core/types.js';
import { notEnrolled } from '../sentences/admin.js';

/**
 * Applies `changes` to an existing entry (UpdateItem with `attribute_exists`, so a typo never creates an
 * entry, unlike STSFTW 1.0's unconditional update) and returns the public view of the result.
 * @throws NotFoundError when the entry does not exist.
 */
export async function updateEntry(
  store: AuthStore,
  issuer: string,
  accountName: string,
  changes: Partial<Pick<AuthEntry, 'roles' | 'secondaryAuthorization' | 'approvalRules'>>,
): Promise<ReturnType<typeof entryView>> {
  try {
    await store.update(issuer, accountName, changes);
  } catch (error) {
    if (isAppError(error) && error.code === 'conflict') throw notEnrolled(issuer, accountName);
    throw error;
  }
  const entry = await store.get(issuer, accountName);
  if (!entry) throw notEnrolled(issuer, accountName);
  return entryView(entry);
}
