/**
 * Approval rules as the administrator commands take and show them. What a rule is, how it reads and when it
 * is valid is core's (lambdas/core/approval-rules.ts); this adds the auth table (approvers must be enrolled),
 * merging a change into an entry's rules, and the text `sts list` and `sts update approvals` print.
 */
import {
  type ApprovalRule,
  assertApproversExist,
  EVERY_ROLE,
  formatApprovalRule,
  validateApprovalRules,
} from '../../lambdas/core/approval-rules.js';
import type { EntryView } from '../../lambdas/core/entries.js';
import { InvalidRequestError, isAppError } from '../../lambdas/core/errors.js';
import type { AuthStore } from '../../lambdas/core/ports.js';
import type { AuthEntry } from '../../lambdas/core/types.js';

/** The parts of an entry its rules are checked against. */
export type RuleOwner = Pick<AuthEntry, 'issuer' | 'accountName' | 'roles' | 'secondaryAuthorization'>;

/** Whether an account is enrolled in `issuer` (what core's assertApproversExist asks). */
function enrolledIn(store: AuthStore, issuer: string): (accountName: string) => Promise<boolean> {
  return async (accountName) => (await store.get(issuer, accountName)) !== undefined;
}

/**
 * Checks `rules` for `entry` as it will be stored: core's rules ({@link validateApprovalRules}), then that
 * every approver a rule relies on is enrolled in the same issuer.
 * @returns the rules as core normalised them (approver lists without duplicates).
 * @throws InvalidRequestError (exit 2) naming the rule or the missing accounts.
 */
export async function checkRules(store: AuthStore, entry: RuleOwner, rules: unknown): Promise<ApprovalRule[]> {
  const valid = validateApprovalRules(entry, rules);
  await assertApproversExist(entry, valid, enrolledIn(store, entry.issuer));
  return valid;
}

/**
 * Checks that an entry's stored rules still hold once `next` (its new roles or authorizers) is written; with
 * `authorizers`, also that the new secondary authorizers the rules without a list of their own rely on are
 * enrolled (approvers named by a rule itself did not change, so a later removal of one does not block this).
 * @param refuse the command's sentence for the first rule that breaks (core says whether it does).
 */
export async function assertRulesKeep(
  store: AuthStore,
  next: RuleOwner,
  rules: readonly ApprovalRule[] | undefined,
  refuse: (rule: ApprovalRule) => Error,
  options: { authorizers?: boolean } = {},
): Promise<void> {
  if (!rules?.length) return;
  for (const rule of rules) {
    try {
      validateApprovalRules(next, [rule]);
    } catch (error) {
      if (isAppError(error) && error.code === 'invalid_request') throw refuse(rule);
      throw error;
    }
  }
  if (!options.authorizers) return;
  const relying = rules.filter((rule) => rule.approvers === undefined);
  await assertApproversExist(next, relying, enrolledIn(store, next.issuer));
}

/**
 * `existing` with the rule of each role in `given` replaced (in place; rules for new roles at the end) and
 * the rules of `cleared` roles removed.
 * @returns the merged list (not validated) and the cleared roles that had no rule.
 */
export function mergeRules(
  existing: readonly ApprovalRule[],
  given: readonly ApprovalRule[],
  cleared: readonly string[],
): { rules: ApprovalRule[]; unmatched: string[] } {
  const clash = given.find((rule) => cleared.includes(rule.role));
  if (clash) {
    throw new InvalidRequestError(
      `The command both sets and clears the rule for ${clash.role}: give ${clash.role}=N or --clear ${clash.role}, not both.`,
    );
  }
  const replaced = new Set<string>();
  const kept = existing.flatMap((rule) => {
    if (cleared.includes(rule.role)) return [];
    const replacements = given.filter((candidate) => candidate.role === rule.role);
    if (replacements.length === 0) return [rule];
    replaced.add(rule.role);
    return replacements;
  });
  const added = given.filter((rule) => !replaced.has(rule.role));
  const unmatched = cleared.filter((role) => !existing.some((rule) => rule.role === role));
  return { rules: [...kept, ...added], unmatched };
}

type Shown = Pick<EntryView, 'roles' | 'secondaryAuthorization' | 'approvalRules'>;

/** What a role without a rule needs (STSFTW 1.0's behaviour). */
function defaultText(entry: Shown): string {
  return entry.secondaryAuthorization.length > 0 ? '1 of the secondary authorizers' : 'none needed';
}

/** The rules, `ROLE=N[:a,b]` each, comma-separated. */
export function rulesText(rules: readonly ApprovalRule[]): string {
  return rules.map(formatApprovalRule).join(', ');
}

/**
 * What an entry's roles need, for `sts list`: its rules (and what the roles without one need), or the 1.0
 * default for an entry without rules; `-` for an account without roles or rules (an approver only).
 */
export function approvalsText(entry: Shown): string {
  const rules = entry.approvalRules;
  if (rules.length === 0) return entry.roles.length === 0 ? '-' : defaultText(entry);
  const covered = (role: string) => rules.some((rule) => rule.role === EVERY_ROLE || rule.role === role);
  const text = rulesText(rules);
  return entry.roles.every(covered) ? text : `${text}; other roles: ${defaultText(entry)}`;
}

/** The rules as `sts update approvals` reports them; "none (…)" says what the roles then need. */
export function rulesReport(entry: Shown): string {
  if (entry.approvalRules.length > 0) return approvalsText(entry);
  const fallback = entry.secondaryAuthorization.length > 0 ? 'needs 1 of the secondary authorizers' : 'needs none';
  return `none (every role ${fallback})`;
}
