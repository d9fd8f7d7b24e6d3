/**
 * Configuration of who is told about requests by e-mail (`approverEmails`, issue 10): `issuer/account` names,
 * as core names entries in notifications, mapped to addresses. Pure, like `config.ts`.
 */
import { nameProblem } from '../lambdas/core/entries.js';
import { ConfigError, EMAIL, jsonTextValue, q, show } from './config-values.js';

const KEY = 'approverEmails';

/**
 * Most entries: an SNS filter policy matches at most 150 values (one address may stand for every name), and a
 * topic takes 200 filter policies by default (one per address).
 */
export const MAX_APPROVER_EMAILS = 150;

const example = '{"acme/bob": "bob@example.com"}';

/** Why `name` is not an `issuer/account` name a subscription can filter on, or undefined. */
function approverNameProblem(name: string): string | undefined {
  const parts = name.split('/');
  if (parts.length !== 2) return 'it is not one issuer and one account name joined by "/"';
  // The approvers attribute is JSON: a quote or backslash arrives escaped, and a filter policy would have to
  // escape it twice to match. Names with them are valid in core, but cannot be filtered on reliably.
  if (/["\\]/.test(name)) return 'it contains a quote or a backslash, which SNS filter policies cannot match reliably';
  const [issuer, account] = parts;
  const issuerProblem = nameProblem(issuer);
  if (issuerProblem) return `its issuer is not valid: ${issuerProblem}`;
  const accountProblem = nameProblem(account);
  if (accountProblem) return `its account name is not valid: ${accountProblem}`;
  return undefined;
}

/**
 * Validates `approverEmails`: an object (or, from `-c`, its JSON text) of `issuer/account` → e-mail address.
 * @throws ConfigError with one sentence naming the key and the offending entry.
 */
export function approverEmailsValue(value: unknown): Record<string, string> {
  const map = jsonTextValue(value);
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new ConfigError(
      KEY,
      `Configuration key ${q(KEY)} must map "issuer/account" names to e-mail addresses, such as ${example}; got ${show(value)}.`,
    );
  }
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length > MAX_APPROVER_EMAILS) {
    throw new ConfigError(
      KEY,
      `Configuration key ${q(KEY)} lists ${entries.length} names; SNS filters allow at most ${MAX_APPROVER_EMAILS} (subscribe a list address, or a chat channel, for larger teams).`,
    );
  }
  const result: Record<string, string> = {};
  for (const [name, email] of entries) {
    const problem = approverNameProblem(name);
    if (problem) {
      throw new ConfigError(
        KEY,
        `Configuration key ${q(KEY)} has ${show(name)}, which is not an "issuer/account" name such as "acme/bob": ${problem}.`,
      );
    }
    if (typeof email !== 'string' || !EMAIL.test(email)) {
      throw new ConfigError(
        KEY,
        `Configuration key ${q(KEY)} maps ${show(name)} to ${show(email)}, which is not an e-mail address.`,
      );
    }
    result[name] = email;
  }
  return result;
}
