/**
 * Configuration of roles: which roles the broker may assume (`allowedRoles`) and the roles the stack creates
 * for it to hand out (`brokeredRoles`). Pure, like `config.ts`.
 */

import { globMatches } from '../lambdas/core/roles.js';
import { ConfigError, jsonTextValue, listValue, q, show, stringValue } from './config-values.js';

/** A role the stack creates for the broker to assume (see `BrokeredRole`). */
export interface BrokeredRoleConfig {
  /** The name as configured, without the `<appName>-` prefix; absent when `fullRoleName` was given. */
  roleName?: string;
  /** The IAM role name: `<appName>-<roleName>`, or the configured `fullRoleName` as is; `[\w+=,.@-]{1,64}`. */
  iamRoleName: string;
  /** IAM path, `/…/`; default `/stsftw/` (inside the default `allowedRoles`). */
  path: string;
  /** Managed policies to attach (full ARNs). */
  managedPolicyArns: string[];
  description?: string;
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/([\w+=,.@-]+\/)*$/;
const ROLE_PATTERN_RELATIVE = /^role\/[\w+=,.@/*-]+$/;
const ROLE_PATTERN_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(role\/[\w+=,.@/*-]+)$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;

/** The `role/…` part of an allowed-role pattern and its account, if it names one. */
function splitRolePattern(pattern: string): { account?: string; resource: string } {
  const arn = ROLE_PATTERN_ARN.exec(pattern);
  return arn ? { account: arn[1], resource: arn[2] } : { resource: pattern };
}

/** Validates `allowedRoles`: role patterns or ARNs, none allowing every role of an account. */
export function allowedRolesValue(value: unknown): string[] {
  const key = 'allowedRoles';
  const patterns = listValue(key, value);
  for (const pattern of patterns) {
    if (!ROLE_PATTERN_RELATIVE.test(pattern) && !ROLE_PATTERN_ARN.test(pattern)) {
      throw new ConfigError(
        key,
        `Configuration key ${q(key)} must list role patterns such as "role/stsftw/*" or role ARNs such as "arn:aws:iam::123456789012:role/stsftw/*"; got ${show(pattern)}.`,
      );
    }
    // The point of the pattern is to keep the broker away from the account's other roles.
    if (/^role\/\**$/.test(splitRolePattern(pattern).resource)) {
      throw new ConfigError(
        key,
        `Configuration key ${q(key)} must not allow every role of an account (${show(pattern)}); use a path such as "role/stsftw/*".`,
      );
    }
  }
  return patterns;
}

/**
 * The IAM name of a brokered role: `<appName>-<roleName>` (IAM role names are unique per account, whatever
 * the case and the path, so a bare `admin` would collide with an existing role), or `fullRoleName` as is.
 */
function brokeredRoleName(
  at: string,
  raw: Record<string, unknown>,
  appName: string,
): { roleName?: string; iamRoleName: string } {
  if ((raw.roleName === undefined) === (raw.fullRoleName === undefined)) {
    throw new ConfigError(
      'brokeredRoles',
      `Configuration key ${q(at)} must give either "roleName" (prefixed with appName) or "fullRoleName" (exact)${raw.roleName === undefined ? '' : ', not both'}.`,
    );
  }
  if (raw.fullRoleName !== undefined) {
    return { iamRoleName: stringValue(`${at}.fullRoleName`, raw.fullRoleName, ROLE_NAME, 'an IAM role name') };
  }
  const roleName = stringValue(`${at}.roleName`, raw.roleName, ROLE_NAME, 'an IAM role name');
  const iamRoleName = `${appName}-${roleName}`;
  if (iamRoleName.length > 64) {
    throw new ConfigError(
      `${at}.roleName`,
      `Configuration key ${q(`${at}.roleName`)} makes the role name ${show(iamRoleName)}, ${iamRoleName.length} characters; IAM allows 64 (shorten it, or give "fullRoleName").`,
    );
  }
  return { roleName, iamRoleName };
}

/** Validates `brokeredRoles` and resolves each IAM role name; each must fall inside `allowedRoles`. */
export function brokeredRolesValue(
  value: unknown,
  appName: string,
  allowedRoles: string[],
  account?: string,
): BrokeredRoleConfig[] {
  const key = 'brokeredRoles';
  /** Lower-cased IAM names seen so far → the name as configured. */
  const seen = new Map<string, string>();
  // From `-c brokeredRoles='[…]'` the list arrives as JSON text.
  const list = jsonTextValue(value);
  if (!Array.isArray(list)) {
    throw new ConfigError(
      key,
      `Configuration key ${q(key)} must be a list of {roleName or fullRoleName, path?, managedPolicyArns?}.`,
    );
  }
  return list.map((item, i) => {
    const at = `${key}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ConfigError(
        key,
        `Configuration key ${q(at)} must be an object {roleName or fullRoleName, path?, managedPolicyArns?}.`,
      );
    }
    const raw = item as Record<string, unknown>;
    const unknown = Object.keys(raw).filter(
      (k) => !['roleName', 'fullRoleName', 'path', 'managedPolicyArns', 'description'].includes(k),
    );
    if (unknown.length > 0) {
      throw new ConfigError(key, `Configuration key ${q(at)} has unknown field ${show(unknown[0])}.`);
    }
    const { roleName, iamRoleName } = brokeredRoleName(at, raw, appName);
    const clash = seen.get(iamRoleName.toLowerCase());
    if (clash !== undefined) {
      throw new ConfigError(
        key,
        `Configuration key ${q(at)} names the role ${show(iamRoleName)} again (as ${show(clash)}); IAM role names are unique per account, whatever the case.`,
      );
    }
    seen.set(iamRoleName.toLowerCase(), iamRoleName);
    const path = stringValue(`${at}.path`, raw.path ?? '/stsftw/', ROLE_PATH, 'an IAM path such as "/stsftw/"');
    const managedPolicyArns =
      raw.managedPolicyArns === undefined ? [] : listValue(`${at}.managedPolicyArns`, raw.managedPolicyArns);
    for (const arn of managedPolicyArns) stringValue(`${at}.managedPolicyArns`, arn, POLICY_ARN, 'IAM policy ARNs');
    const description =
      raw.description === undefined
        ? undefined
        : stringValue(`${at}.description`, raw.description, /^.{1,1000}$/, 'a short text');
    const resource = `role${path}${iamRoleName}`;
    const allowed = allowedRoles.some((pattern) => {
      const split = splitRolePattern(pattern);
      if (split.account && account && split.account !== account) return false;
      return globMatches(split.resource, resource);
    });
    if (!allowed) {
      throw new ConfigError(
        key,
        `Configuration key ${q(at)} names ${show(resource)}, which "allowedRoles" does not allow; change its path or the patterns.`,
      );
    }
    return {
      ...(roleName ? { roleName } : {}),
      iamRoleName,
      path,
      managedPolicyArns,
      ...(description ? { description } : {}),
    };
  });
}
