/** Advice printed after an entry changed; never fails the command. */
import type { Writable } from 'node:stream';
import type { AuthStore } from '../../lambdas/core/ports.js';

/**
 * Warns about secondary authorizers that are not enrolled (yet) in the issuer: approvals from them will be
 * refused until they are. Enrolling them later is fine, hence a warning and not an error.
 */
export async function warnUnknownAuthorizers(
  store: AuthStore,
  issuer: string,
  authorizers: readonly string[],
  out: Writable,
): Promise<void> {
  for (const name of authorizers) {
    const entry = await store.get(issuer, name);
    if (!entry) {
      out.write(`warning: ${name} is not enrolled in ${issuer} yet; it cannot approve until it is.\n`);
    } else if (!entry.totpSecret) {
      out.write(`warning: ${name} has no TOTP device; it cannot approve until \`sts update device\` sets one.\n`);
    }
  }
}
