/**
 * Deployment configuration: the keys a user may set (config file and/or CDK context), their defaults and
 * their validation. Pure: no file system, no CDK, so every rule is unit-testable. An invalid value fails
 * synthesis with one sentence that names the key.
 */

import { approverEmailsValue } from './config-approvers.js';
import { allowedRolesValue, type BrokeredRoleConfig, brokeredRolesValue } from './config-roles.js';
import { ConfigError, EMAIL, intValue, q, show, stringValue } from './config-values.js';

export type { BrokeredRoleConfig } from './config-roles.js';
export { ConfigError } from './config-values.js';

/** Custom domain for the API: an ACM certificate validated in the zone plus alias records. */
export interface DomainConfig {
  /** e.g. `sts.example.com`; must lie inside `hostedZoneName`. */
  domainName: string;
  /** e.g. `example.com`. */
  hostedZoneName: string;
  /** The Route 53 hosted zone id (given, not looked up, so synthesis needs no AWS access). */
  hostedZoneId: string;
}

/** The validated configuration the stack is built from. */
export interface InfraConfig {
  /** Stack name and prefix of resource names. */
  appName: string;
  /** Target region; default: the CLI's (CDK_DEFAULT_REGION), else an environment-agnostic stack. */
  region?: string;
  /** Target account; same defaulting as `region`. */
  account?: string;
  authTableName: string;
  requestsTableName: string;
  domain?: DomainConfig;
  auditEmail?: string;
  /**
   * E-mail subscriptions to the approvals topic: `issuer/account` → address. Each address gets the
   * notifications that name one of its accounts (as an eligible approver or as the requester).
   */
  approverEmails?: Record<string, string>;
  approvalTimeoutSeconds: number;
  /**
   * Roles the broker may assume: patterns relative to the stack's account (`role/stsftw/*`) or full
   * role ARNs (`arn:aws:iam::123456789012:role/team/*`), `*` = any characters.
   */
  allowedRoles: string[];
  maxSessionSeconds: number;
  /** Reserved concurrency for each function; default none (shares the account pool). */
  reservedConcurrency?: number;
  logRetentionDays: number;
  brokeredRoles: BrokeredRoleConfig[];
}

/** Every key a user may set, in documentation order. */
export const configKeys = [
  'appName',
  'region',
  'account',
  'authTableName',
  'requestsTableName',
  'domainName',
  'hostedZoneName',
  'hostedZoneId',
  'auditEmail',
  'approverEmails',
  'approvalTimeoutSeconds',
  'allowedRoles',
  'maxSessionSeconds',
  'reservedConcurrency',
  'logRetentionDays',
  'brokeredRoles',
] as const;
export type ConfigKey = (typeof configKeys)[number];

/** Defaults of the keys that have one (table names default from `appName`). */
export const configDefaults = {
  appName: 'stsftw',
  approvalTimeoutSeconds: 900,
  allowedRoles: ['role/stsftw/*'],
  maxSessionSeconds: 3600,
  logRetentionDays: 30,
} as const;

/** Retention periods CloudWatch Logs accepts. */
export const logRetentionValues = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const APP_NAME = /^[A-Za-z][A-Za-z0-9-]{0,39}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ZONE_ID = /^[A-Z0-9]{1,32}$/;

function domainValue(input: Record<string, unknown>): DomainConfig | undefined {
  const given = (['domainName', 'hostedZoneName', 'hostedZoneId'] as const).filter((k) => input[k] !== undefined);
  if (given.length === 0) return undefined;
  const missing = (['domainName', 'hostedZoneName', 'hostedZoneId'] as const).find((k) => input[k] === undefined);
  if (missing) {
    throw new ConfigError(
      missing,
      `Configuration key ${q(missing)} is required with ${q(given[0])}: a custom domain needs "domainName", "hostedZoneName" and "hostedZoneId".`,
    );
  }
  const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase().replace(/\.$/, '') : v);
  const domainName = stringValue(
    'domainName',
    lower(input.domainName),
    HOST_NAME,
    'a DNS name such as "sts.example.com"',
  );
  const hostedZoneName = stringValue(
    'hostedZoneName',
    lower(input.hostedZoneName),
    HOST_NAME,
    'a DNS zone name such as "example.com"',
  );
  const hostedZoneId = stringValue('hostedZoneId', input.hostedZoneId, ZONE_ID, 'a Route 53 hosted zone id');
  if (domainName !== hostedZoneName && !domainName.endsWith(`.${hostedZoneName}`)) {
    throw new ConfigError(
      'domainName',
      `Configuration key "domainName" (${domainName}) must lie inside "hostedZoneName" (${hostedZoneName}).`,
    );
  }
  return { domainName, hostedZoneName, hostedZoneId };
}

/**
 * Validates raw configuration (merged from the config file and CDK context) and fills in defaults.
 * @throws ConfigError with one sentence naming the offending key.
 */
export function parseConfig(input: Record<string, unknown>): InfraConfig {
  const unknownKey = Object.keys(input).find((k) => !(configKeys as readonly string[]).includes(k));
  if (unknownKey) {
    throw new ConfigError(
      unknownKey,
      `Configuration key ${q(unknownKey)} is not known; the keys are ${configKeys.join(', ')}.`,
    );
  }
  const v = (key: ConfigKey) => (input[key] === null || input[key] === '' ? undefined : input[key]);

  const appName = stringValue(
    'appName',
    v('appName') ?? configDefaults.appName,
    APP_NAME,
    'a name of letters, digits and dashes, starting with a letter, at most 40 characters',
  );
  const region =
    v('region') === undefined
      ? undefined
      : stringValue('region', v('region'), REGION, 'an AWS region such as "eu-west-1"');
  const account =
    v('account') === undefined ? undefined : stringValue('account', v('account'), ACCOUNT, 'a 12-digit AWS account id');
  const authTableName = stringValue(
    'authTableName',
    v('authTableName') ?? `${appName}-auth`,
    TABLE_NAME,
    'a DynamoDB table name (3-255 letters, digits, "_", "-", ".")',
  );
  const requestsTableName = stringValue(
    'requestsTableName',
    v('requestsTableName') ?? `${appName}-requests`,
    TABLE_NAME,
    'a DynamoDB table name (3-255 letters, digits, "_", "-", ".")',
  );
  if (authTableName === requestsTableName) {
    throw new ConfigError(
      'requestsTableName',
      `Configuration key "requestsTableName" must differ from "authTableName" (both are ${show(authTableName)}).`,
    );
  }
  const domain = domainValue({
    domainName: v('domainName'),
    hostedZoneName: v('hostedZoneName'),
    hostedZoneId: v('hostedZoneId'),
  });
  const auditEmail =
    v('auditEmail') === undefined ? undefined : stringValue('auditEmail', v('auditEmail'), EMAIL, 'an e-mail address');
  const approverEmails = v('approverEmails') === undefined ? undefined : approverEmailsValue(v('approverEmails'));
  const approvalTimeoutSeconds = intValue(
    'approvalTimeoutSeconds',
    v('approvalTimeoutSeconds') ?? configDefaults.approvalTimeoutSeconds,
    60,
    86_400,
  );
  const allowedRoles = allowedRolesValue(v('allowedRoles') ?? [...configDefaults.allowedRoles]);
  const maxSessionSeconds = intValue(
    'maxSessionSeconds',
    v('maxSessionSeconds') ?? configDefaults.maxSessionSeconds,
    900,
    3600,
    ' (role chaining caps sessions at one hour)',
  );
  const reservedConcurrency =
    v('reservedConcurrency') === undefined
      ? undefined
      : intValue('reservedConcurrency', v('reservedConcurrency'), 1, 1000);
  const logRetentionDays = intValue(
    'logRetentionDays',
    v('logRetentionDays') ?? configDefaults.logRetentionDays,
    1,
    3653,
  );
  if (!logRetentionValues.includes(logRetentionDays)) {
    throw new ConfigError(
      'logRetentionDays',
      `Configuration key "logRetentionDays" must be one of ${logRetentionValues.join(', ')}; got ${logRetentionDays}.`,
    );
  }
  const brokeredRoles =
    v('brokeredRoles') === undefined ? [] : brokeredRolesValue(v('brokeredRoles'), appName, allowedRoles, account);

  return {
    appName,
    ...(region ? { region } : {}),
    ...(account ? { account } : {}),
    authTableName,
    requestsTableName,
    ...(domain ? { domain } : {}),
    ...(auditEmail ? { auditEmail } : {}),
    ...(approverEmails ? { approverEmails } : {}),
    approvalTimeoutSeconds,
    allowedRoles,
    maxSessionSeconds,
    ...(reservedConcurrency ? { reservedConcurrency } : {}),
    logRetentionDays,
    brokeredRoles,
  };
}
