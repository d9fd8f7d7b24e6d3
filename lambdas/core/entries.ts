/** Enrollment entries (auth table items): validation of names, roles and authorizers, and the public view. */
import { InvalidRequestError } from './errors.js';
import type { ApprovalRule, AuthEntry } from './types.js';

/** Kinds of name `validateName` checks; the kind is named in the error message. */
export type NameKind = 'issuer' | 'account name';

/** Most roles or authorizers one entry may list (keeps items far below DynamoDB's 400 KB). */
export const MAX_LIST_LENGTH = 100;

/** Longest issuer or account name, in characters (code points). */
export const MAX_NAME_LENGTH = 64;
/**
 * Letters, marks, digits, punctuation, symbols and the plain space: STSFTW 1.0 allowed names such as
 * `Some Account`. No control or format characters, no other kind of space, and neither `:` (it separates
 * issuer and account in an otpauth label, whose format forbids it in both) nor `/` (`issuer/account` is how
 * the broker names an entry in reports and notifications).
 */
const NAME_CHARS = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]+$/u;
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
// IAM role ARN: optional path segments, then the role name.
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const MAX_ROLE_ARN_LENGTH = 2048;

/** What may be shown of an entry: never the secret, only whether there is one. */
export interface EntryView {
  issuer: string;
  accountName: string;
  roles: string[];
  secondaryAuthorization: string[];
  /** Per-role quorums (approval-rules.ts); `[]` when every role keeps the 1.0 default. */
  approvalRules: ApprovalRule[];
  hasSecret: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Splits `text` into items, trimmed, without empty items or duplicates (first wins). Roles never hold
 * spaces, so a role list splits on commas and whitespace alike; account names may have inner spaces (`Bob
 * Smith`, as STSFTW 1.0 allowed), so a name list splits on commas only.
 */
export function parseList(text: string, kind: 'roles' | 'names' = 'roles'): string[] {
  const items = kind === 'names' ? text.split(',').map((item) => item.trim()) : text.split(/[\s,]+/);
  return [...new Set(items.filter((item) => item !== ''))];
}

/** Why `value` is not a valid issuer or account name, or undefined when it is one. */
export function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'it is not text';
  const length = [...value].length;
  if (length === 0) return 'it is empty';
  if (length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (value.startsWith(' ') || value.endsWith(' ')) return 'it starts or ends with a space';
  if (value.includes(':') || value.includes('/')) return 'it contains ":" or "/"';
  if (!NAME_CHARS.test(value)) return 'it contains a control character, a tab or another non-printable character';
  return undefined;
}

/**
 * Checks an issuer or account name: 1–64 printable characters, inner spaces allowed (see NAME_CHARS).
 * @returns the value, for chaining.
 * @throws InvalidRequestError naming the kind and what is wrong (never echoing the value).
 */
export function validateName(kind: NameKind, value: unknown): string {
  const problem = nameProblem(value);
  if (problem !== undefined) {
    throw new InvalidRequestError(
      `The ${kind} must be 1 to ${MAX_NAME_LENGTH} printable characters (inner spaces allowed, no ":" or "/"), but ${problem}.`,
    );
  }
  return value as string;
}

/** True when `role` is a role name (`[\w+=,.@-]{1,64}`) or an IAM role ARN. */
export function isRoleSyntax(role: unknown): role is string {
  return (
    typeof role === 'string' &&
    (ROLE_NAME_PATTERN.test(role) || (role.length <= MAX_ROLE_ARN_LENGTH && ROLE_ARN_PATTERN.test(role)))
  );
}

/**
 * Checks a role list: each a role name or an IAM role ARN (`arn:aws…:iam::123456789012:role/…`).
 * @returns the list without duplicates.
 * @throws InvalidRequestError naming the first bad role (role names are not secret).
 */
export function validateRoles(roles: unknown): string[] {
  if (!Array.isArray(roles)) throw new InvalidRequestError('Roles must be a list.');
  if (roles.length > MAX_LIST_LENGTH) throw new InvalidRequestError(`At most ${MAX_LIST_LENGTH} roles are allowed.`);
  for (const role of roles) {
    if (!isRoleSyntax(role)) {
      const shown = typeof role === 'string' ? JSON.stringify(role.slice(0, 100)) : 'a non-string value';
      throw new InvalidRequestError(`Not a role name or IAM role ARN: ${shown}.`);
    }
  }
  return [...new Set(roles as string[])];
}

/**
 * Checks the secondary authorizers of `accountName`: valid account names, never the account itself.
 * @returns the list without duplicates.
 */
export function validateAuthorizers(accountName: string, list: unknown): string[] {
  if (!Array.isArray(list)) throw new InvalidRequestError('Secondary authorizers must be a list.');
  if (list.length > MAX_LIST_LENGTH) {
    throw new InvalidRequestError(`At most ${MAX_LIST_LENGTH} secondary authorizers are allowed.`);
  }
  for (const name of list) {
    validateName('account name', name);
    if (name === accountName) throw new InvalidRequestError('An account cannot be its own secondary authorizer.');
  }
  return [...new Set(list as string[])];
}

/**
 * A validated new entry. `totpSecret` is the already **encrypted** otpauth URL (SecretCipher output).
 */
export function newEntry(input: {
  issuer: string;
  accountName: string;
  roles: string[];
  secondaryAuthorization: string[];
  totpSecret: string;
  now: Date;
}): AuthEntry {
  const issuer = validateName('issuer', input.issuer);
  const accountName = validateName('account name', input.accountName);
  if (typeof input.totpSecret !== 'string' || input.totpSecret === '') {
    throw new InvalidRequestError('An entry needs a TOTP secret.');
  }
  const at = input.now.toISOString();
  return {
    issuer,
    accountName,
    roles: validateRoles(input.roles),
    secondaryAuthorization: validateAuthorizers(accountName, input.secondaryAuthorization),
    totpSecret: input.totpSecret,
    failedAttempts: 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** The shareable view of an entry (for `list`/`show` commands): no secret, no replay state. */
export function entryView(entry: AuthEntry): EntryView {
  return {
    issuer: entry.issuer,
    accountName: entry.accountName,
    roles: [...(entry.roles ?? [])],
    secondaryAuthorization: [...(entry.secondaryAuthorization ?? [])],
    approvalRules: (entry.approvalRules ?? []).map((rule) => ({
      ...rule,
      ...(rule.approvers && { approvers: [...rule.approvers] }),
    })),
    hasSecret: typeof entry.totpSecret === 'string' && entry.totpSecret !== '',
    lockedUntil: entry.lockedUntil ?? null,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
}
