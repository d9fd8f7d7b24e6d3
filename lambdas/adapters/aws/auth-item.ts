/** The auth table's item shape (DESIGN.md §3) and its mapping to and from core's AuthEntry. */
import type { ApprovalRule, AuthEntry } from '../../core/types.js';
import { optionalNumber, optionalString, stringList } from './item-values.js';

/** `approval_rules` items: `{role, approvals, approvers?}` maps. */
export function approvalRulesToItem(rules: readonly ApprovalRule[]): Record<string, unknown>[] {
  return rules.map((rule) => ({
    role: rule.role,
    approvals: rule.approvals,
    ...(rule.approvers && { approvers: [...rule.approvers] }),
  }));
}

/** Reads `approval_rules` leniently: a map without a role or a whole number of approvals is skipped. */
export function approvalRulesFromItem(value: unknown): ApprovalRule[] {
  if (!Array.isArray(value)) return [];
  const rules: ApprovalRule[] = [];
  for (const item of value) {
    const role = optionalString(item?.role);
    const approvals = optionalNumber(item?.approvals);
    if (role === undefined || approvals === undefined || !Number.isInteger(approvals) || approvals < 0) continue;
    const rule: ApprovalRule = { role, approvals };
    if (item.approvers !== undefined) rule.approvers = stringList(item.approvers);
    rules.push(rule);
  }
  return rules;
}

/** An auth table item as the stores read and write it, in plain values (`documents.ts`) (snake_case attribute names, DESIGN.md §3). */
export type AuthItem = Record<string, unknown>;

/** Maps an entry to its auth table item; optional fields that are unset are left out. */
export function authEntryToItem(entry: AuthEntry): AuthItem {
  return {
    issuer: entry.issuer,
    account_name: entry.accountName,
    roles: [...entry.roles],
    secondary_authorization: [...entry.secondaryAuthorization],
    ...(entry.approvalRules?.length && { approval_rules: approvalRulesToItem(entry.approvalRules) }),
    totp_secret: entry.totpSecret,
    last_step: entry.lastStep,
    failed_attempts: entry.failedAttempts,
    locked_until: entry.lockedUntil,
    created_at: entry.createdAt,
    updated_at: entry.updatedAt,
  };
}

/** Maps an auth table item (ours or STSFTW 1.0's, whose lists may be string sets) to an entry. */
export function authEntryFromItem(item: AuthItem): AuthEntry {
  const entry: AuthEntry = {
    issuer: optionalString(item.issuer) ?? '',
    accountName: optionalString(item.account_name) ?? '',
    roles: stringList(item.roles),
    secondaryAuthorization: stringList(item.secondary_authorization),
    // STSFTW 1.0 entries may lack timestamps; an empty string keeps the type honest without inventing a date.
    createdAt: optionalString(item.created_at) ?? '',
    updatedAt: optionalString(item.updated_at) ?? optionalString(item.created_at) ?? '',
  };
  const approvalRules = approvalRulesFromItem(item.approval_rules);
  if (approvalRules.length > 0) entry.approvalRules = approvalRules;
  const totpSecret = optionalString(item.totp_secret);
  const lastStep = optionalNumber(item.last_step);
  const failedAttempts = optionalNumber(item.failed_attempts);
  const lockedUntil = optionalString(item.locked_until);
  if (totpSecret !== undefined) entry.totpSecret = totpSecret;
  if (lastStep !== undefined) entry.lastStep = lastStep;
  if (failedAttempts !== undefined) entry.failedAttempts = failedAttempts;
  if (lockedUntil !== undefined) entry.lockedUntil = lockedUntil;
  return entry;
}
