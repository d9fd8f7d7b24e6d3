/**
 * Approval rules (DESIGN.md §6 "Approval rules"): how many distinct approvers a role needs, and who they may
 * be. An entry carries at most one rule per role (named as in the entry, or `*` for every role without its
 * own); a role without a rule keeps STSFTW 1.0's behaviour: one approver from `secondary_authorization` when
 * that list is non-empty, none otherwise.
 */
import { isRoleSyntax, MAX_LIST_LENGTH, validateAuthorizers } from './entries.js';
import { InvalidRequestError } from './errors.js';
import { matchingEntryRoles, type RoleConfig } from './roles.js';
import type { ApprovalRule, AuthEntry } from './types.js';

export type { ApprovalRule } from './types.js';

/** Most approvals a rule may ask for. */
export const MAX_APPROVALS = 5;
/** The rule key standing for every role of the entry that has no rule of its own. */
export const EVERY_ROLE = '*';

/** What a request for one role needs. */
export interface Quorum {
  /** Distinct approvals needed (0: the requester's code is enough). */
  required: number;
  /** Who may approve (or deny). */
  approvers: string[];
  /** The rule's key (`*` or an entry role), or undefined for the 1.0 default. */
  ruleRole?: string;
}

type RuleSource = Pick<AuthEntry, 'roles' | 'secondaryAuthorization' | 'approvalRules'>;

/** The 1.0 behaviour: one approver from `secondary_authorization`, if it lists anyone. */
function defaultQuorum(entry: RuleSource): Quorum {
  const approvers = [...(entry.secondaryAuthorization ?? [])];
  return { required: approvers.length > 0 ? 1 : 0, approvers };
}

function fromRule(entry: RuleSource, rule: ApprovalRule): Quorum {
  return {
    required: rule.approvals,
    approvers: [...(rule.approvers ?? entry.secondaryAuthorization ?? [])],
    ruleRole: rule.role,
  };
}

/**
 * The quorum a request for `requestedRole` needs under `entry`'s rules: the rule of the entry role it stands
 * for (the strictest, if it stands for several spellings), else the `*` rule, else the 1.0 default.
 */
export function quorumFor(entry: RuleSource, requestedRole: string, cfg: RoleConfig): Quorum {
  const rules = entry.approvalRules ?? [];
  if (rules.length === 0) return defaultQuorum(entry);
  const matched = new Set(matchingEntryRoles(requestedRole, entry.roles ?? [], cfg));
  const own = rules
    .filter((rule) => rule.role !== EVERY_ROLE && matched.has(rule.role))
    .sort((a, b) => b.approvals - a.approvals)[0];
  const rule = own ?? rules.find((candidate) => candidate.role === EVERY_ROLE);
  return rule ? fromRule(entry, rule) : defaultQuorum(entry);
}

/**
 * Reads `ROLE=N[:a,b,c]` (the CLI's `--approvals`): a role as the entry names it (or `*`), how many distinct
 * approvals it needs, and optionally who may give them (comma-separated account names, inner spaces allowed).
 * @throws InvalidRequestError saying what is wrong.
 */
export function parseApprovalRule(text: string): ApprovalRule {
  const trimmed = text.trim();
  // IAM allows `=` in role names: the rule's `=` is the first one after which a count follows.
  let match: RegExpExecArray | null = null;
  let role = '';
  for (let at = trimmed.indexOf('='); at > 0 && !match; at = trimmed.indexOf('=', at + 1)) {
    role = trimmed.slice(0, at).trim();
    if (role === EVERY_ROLE || isRoleSyntax(role)) match = /^(\d+)(?::(.*))?$/s.exec(trimmed.slice(at + 1));
  }
  if (!match) {
    throw new InvalidRequestError(
      `An approval rule reads ROLE=N or ROLE=N:approver,approver (for example Admin=1 or BreakGlass=2:bob,carol), not ${JSON.stringify(text.slice(0, 100))}.`,
    );
  }
  const rule: ApprovalRule = { role, approvals: Number(match[1]) };
  if (match[2] !== undefined) {
    const approvers = match[2]
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== '');
    if (approvers.length === 0) {
      throw new InvalidRequestError(`The approval rule for ${rule.role} lists no approver after ":".`);
    }
    rule.approvers = [...new Set(approvers)];
  }
  return rule;
}

/** `ROLE=N` or `ROLE=N:a,b` — what {@link parseApprovalRule} reads. */
export function formatApprovalRule(rule: ApprovalRule): string {
  return rule.approvers
    ? `${rule.role}=${rule.approvals}:${rule.approvers.join(',')}`
    : `${rule.role}=${rule.approvals}`;
}

/**
 * Checks an entry's rules against the entry itself: each role is one of the entry's roles (as the entry names
 * it) or `*`, at most once; N is a whole number 0–5 and at most the number of eligible approvers; approvers
 * are valid account names other than the account's own. Whether the approvers exist is
 * {@link assertApproversExist}'s job (it needs the table).
 * @returns the rules, approver lists without duplicates.
 * @throws InvalidRequestError naming the rule (role names and account names are not secret).
 */
export function validateApprovalRules(
  entry: Pick<AuthEntry, 'accountName' | 'roles' | 'secondaryAuthorization'>,
  rules: unknown,
): ApprovalRule[] {
  if (!Array.isArray(rules)) throw new InvalidRequestError('Approval rules must be a list.');
  if (rules.length > MAX_LIST_LENGTH) {
    throw new InvalidRequestError(`At most ${MAX_LIST_LENGTH} approval rules are allowed.`);
  }
  const seen = new Set<string>();
  return rules.map((candidate: unknown) => {
    const rule = (candidate ?? {}) as Partial<ApprovalRule>;
    if (typeof rule.role !== 'string' || rule.role === '') {
      throw new InvalidRequestError('Each approval rule needs a role.');
    }
    const role = rule.role;
    if (role !== EVERY_ROLE && !entry.roles.includes(role)) {
      throw new InvalidRequestError(
        `The approval rule names ${JSON.stringify(role.slice(0, 100))}, which is not one of ${entry.accountName}'s roles (name it as the entry does, or use * for every role without its own rule).`,
      );
    }
    if (seen.has(role)) throw new InvalidRequestError(`There are two approval rules for ${role}: keep one.`);
    seen.add(role);
    const approvals = rule.approvals;
    if (typeof approvals !== 'number' || !Number.isInteger(approvals) || approvals < 0 || approvals > MAX_APPROVALS) {
      throw new InvalidRequestError(`The approval rule for ${role} must ask for 0 to ${MAX_APPROVALS} approvals.`);
    }
    if (Array.isArray(rule.approvers) && rule.approvers.includes(entry.accountName)) {
      throw new InvalidRequestError(
        `The approval rule for ${role} names ${entry.accountName}, who cannot approve their own requests: name other approvers.`,
      );
    }
    const own = rule.approvers === undefined ? undefined : validateAuthorizers(entry.accountName, rule.approvers);
    const eligible = own ?? entry.secondaryAuthorization;
    if (approvals > eligible.length) {
      const source = own ? 'its own list' : 'the secondary authorizers';
      throw new InvalidRequestError(
        `The approval rule for ${role} asks for ${approvals} approvals but ${source} names ${eligible.length} ${eligible.length === 1 ? 'approver' : 'approvers'}: name at least ${approvals}, or ask for fewer.`,
      );
    }
    return own ? { role, approvals, approvers: own } : { role, approvals };
  });
}

/**
 * Every account a rule that needs approvals lets approve: the rule's own list, or the secondary authorizers
 * for a rule without one. In order, without duplicates.
 */
export function ruleApprovers(
  entry: Pick<AuthEntry, 'secondaryAuthorization'>,
  rules: readonly ApprovalRule[],
): string[] {
  return [
    ...new Set(
      rules.filter((rule) => rule.approvals > 0).flatMap((rule) => rule.approvers ?? entry.secondaryAuthorization),
    ),
  ];
}

/**
 * Checks that every approver a rule that needs approvals relies on ({@link ruleApprovers}) is enrolled in the
 * same issuer.
 * @param exists whether `accountName` has an entry in the entry's issuer.
 * @throws InvalidRequestError naming the missing accounts.
 */
export async function assertApproversExist(
  entry: Pick<AuthEntry, 'issuer' | 'secondaryAuthorization'>,
  rules: readonly ApprovalRule[],
  exists: (accountName: string) => Promise<boolean>,
): Promise<void> {
  const issuer = entry.issuer;
  const names = ruleApprovers(entry, rules);
  const found = await Promise.all(names.map(exists));
  const missing = names.filter((_, index) => !found[index]);
  if (missing.length > 0) {
    throw new InvalidRequestError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not enrolled in ${issuer}: enroll ${missing.length === 1 ? 'that account' : 'those accounts'} first, then name ${missing.length === 1 ? 'it' : 'them'} as approvers.`,
    );
  }
}
