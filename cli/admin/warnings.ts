/** Advice printed after an entry changed; never fails the command. */
import type { Writable } from 'node:stream';
import { formatApprovalRule } from '../../lambdas/core/approval-rules.js';
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

/**
 * After `removed` left the issuer (and while the store may still list it): warns about every rule of another entry that counted on it and now names
 * fewer approvers than it needs. Requests for such a role are refused at once (not left to expire) until
 * an administrator names another approver or lowers the rule.
 */
export async function warnBrokenQuorums(
  store: AuthStore,
  issuer: string,
  removed: string,
  out: Writable,
): Promise<void> {
  const entries = await store.list(issuer);
  const enrolled = new Set(entries.map((entry) => entry.accountName));
  enrolled.delete(removed);
  for (const entry of entries) {
    for (const rule of entry.approvalRules ?? []) {
      const eligible = rule.approvers ?? entry.secondaryAuthorization;
      if (rule.approvals === 0 || !eligible.includes(removed)) continue;
      const left = eligible.filter((name) => enrolled.has(name)).length;
      if (left >= rule.approvals) continue;
      out.write(
        `warning: ${entry.accountName}'s approval rule ${formatApprovalRule(rule)} counted on ${removed}: ${left} of the ${rule.approvals} approvers it needs remain, so its requests are refused until \`sts update approvals\` names another or asks for fewer.\n`,
      );
    }
  }
}
