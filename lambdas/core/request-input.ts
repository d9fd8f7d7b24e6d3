/** A new request's input as the API receives it, and the semantic checks it must pass before anything is stored. */
import { isRoleSyntax, validateName } from './entries.js';
import { InvalidRequestError, SelfApprovalError } from './errors.js';
import { clampDuration } from './roles.js';
import { decodePublicKey } from './sealing.js';
import { validateReason } from './text.js';
import { normalizeTotpCode } from './totp.js';

/** `POST /v1/requests` body. */
export interface CreateRequestInput {
  issuer: string;
  accountName: string;
  role: string;
  totpCode: string;
  publicKey: string;
  secondaryAccountName?: string;
  secondaryTotpCode?: string;
  durationSeconds?: number;
  reason?: string;
}

/** The six digits of a code typed with spaces (`123 456`), or InvalidRequestError naming the field. */
export function requireCode(field: string, code: unknown): string {
  const digits = normalizeTotpCode(code);
  if (digits === undefined) throw new InvalidRequestError(`${field} must be 6 digits.`);
  return digits;
}

/**
 * A second code must say whose it is: without the approver's name it would have to be tried against every
 * authorizer. True when `secondaryTotpCode` is given without `secondaryAccountName` (the CLI asks before a code).
 */
export function secondCodeLacksName(input: { secondaryAccountName?: string; secondaryTotpCode?: string }): boolean {
  return input.secondaryTotpCode !== undefined && input.secondaryAccountName === undefined;
}

/** Semantic checks of a new request (the API has already checked JSON types and sizes). */
export function validateCreate(input: CreateRequestInput, maxSessionSeconds: number) {
  const issuer = validateName('issuer', input.issuer);
  const accountName = validateName('account name', input.accountName);
  if (!isRoleSyntax(input.role)) throw new InvalidRequestError('role must be a role name or an IAM role ARN.');
  decodePublicKey(input.publicKey);
  const totpCode = requireCode('totpCode', input.totpCode);
  const secondaryAccountName =
    input.secondaryAccountName === undefined ? undefined : validateName('account name', input.secondaryAccountName);
  let secondaryTotpCode: string | undefined;
  if (input.secondaryTotpCode !== undefined) {
    secondaryTotpCode = requireCode('secondaryTotpCode', input.secondaryTotpCode);
  }
  if (secondCodeLacksName({ secondaryAccountName, secondaryTotpCode })) {
    throw new InvalidRequestError('secondaryTotpCode needs secondaryAccountName.');
  }
  if (secondaryAccountName === accountName) throw new SelfApprovalError();
  return {
    issuer,
    accountName,
    totpCode,
    secondaryAccountName,
    secondaryTotpCode,
    durationSeconds: clampDuration(input.durationSeconds, maxSessionSeconds),
    reason: validateReason(input.reason),
  };
}
