/** The approval page's form body: `decision`, `accountName`, `totpCode`, `reason` (issue 10 §2). */
import { InvalidRequestError } from '../../core/errors.js';
import { MAX_REASON_LENGTH } from '../../core/text.js';

/** What the approver chose and typed. */
export interface DecisionForm {
  decision: 'approve' | 'deny';
  accountName: string;
  totpCode: string;
  /** Only read for a denial; empty means none. */
  reason?: string;
}

const FIELDS = new Set(['decision', 'accountName', 'totpCode', 'reason']);

/** One field's value, at most once; missing → ''. */
function one(params: URLSearchParams, name: string): string {
  const values = params.getAll(name);
  if (values.length > 1) throw new InvalidRequestError('The form sent a field twice: reload the page and try again.');
  return values[0] ?? '';
}

/**
 * Parses an `application/x-www-form-urlencoded` body. Sentences name the form's labels, never a value;
 * the domain rules (name syntax, 6 digits, printable reason) stay core's.
 */
export function parseDecisionForm(body: string, maxName: number, maxCode: number): DecisionForm {
  const params = new URLSearchParams(body);
  for (const key of params.keys()) {
    if (!FIELDS.has(key))
      throw new InvalidRequestError('The form has a field this page does not send: reload the page and try again.');
  }
  const decision = one(params, 'decision');
  if (decision !== 'approve' && decision !== 'deny') throw new InvalidRequestError('Choose Approve or Deny.');
  const accountName = one(params, 'accountName').trim();
  if (!accountName) throw new InvalidRequestError('Enter your account name.');
  if (accountName.length > maxName)
    throw new InvalidRequestError(`Your account name is longer than ${maxName} characters.`);
  const totpCode = one(params, 'totpCode').replace(/\s+/g, '');
  if (!totpCode) throw new InvalidRequestError('Enter the 6-digit code your authenticator app shows now.');
  if (totpCode.length > maxCode) throw new InvalidRequestError('The code has 6 digits.');
  const reason = one(params, 'reason').trim();
  if (reason.length > 2 * MAX_REASON_LENGTH) {
    throw new InvalidRequestError(`The reason must be at most ${MAX_REASON_LENGTH} characters.`);
  }
  return { decision, accountName, totpCode, ...(decision === 'deny' && reason ? { reason } : {}) };
}
