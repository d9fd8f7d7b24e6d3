/**
 * Deployment configuration: the keys a user may set (config file and/or CDK context), their defaults and
 * their validation. Pure: no file system, no CDK, so every rule is unit-testable. An invalid value fails
 * synthesis with one sentence that names the key.
 */

/** A role the stack creates for the broker to assume (see `BrokeredRole`). */
export interface BrokeredRoleConfig {
  /** Role name, `[\w+=,.@-]{1,64}`. */
  roleName: string;
  /** IAM path, `/…/`; default `/stsftw/` (inside the default `allowedRoles`). */
  path: string;
  /** Managed policies to attach (full ARNs). */
  managedPolicyArns: string[];
  description?: string;
}

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

/** Thrown for an invalid configuration; `key` is the offending key, the message one sentence naming it. */
export class ConfigError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.key = key;
  }
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
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_PATH = /^\/([\w+=,.@-]+\/)*$/;
const ROLE_PATTERN_RELATIVE = /^role\/[\w+=,.@/*-]+$/;
const ROLE_PATTERN_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(role\/[\w+=,.@/*-]+)$/;
const POLICY_ARN = /^arn:aws[a-z-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;

/** `"key"` as it appears in messages. */
function q(key: string): string {
  return `"${key}"`;
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function stringValue(key: string, value: unknown, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigError(key, `Configuration key ${q(key)} must be ${what}; got ${show(value)}.`);
  }
  return value;
}

/** Context values given with `-c key=value` arrive as strings: accept "600" for 600. */
function intValue(key: string, value: unknown, min: number, max: number, why = ''): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(
      key,
      `Configuration key ${q(key)} must be a whole number from ${min} to ${max}${why}; got ${show(value)}.`,
    );
  }
  return n;
}

/** A list, or (from `-c`) a comma-separated string. */
function listValue(key: string, value: unknown): string[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || v === '')) {
    throw new ConfigError(key, `Configuration key ${q(key)} must be a non-empty list of strings; got ${show(value)}.`);
  }
  return list;
}

/** The `role/…` part of an allowed-role pattern and its account, if it names one. */
function splitRolePattern(pattern: string): { account?: string; resource: string } {
  const arn = ROLE_PATTERN_ARN.exec(pattern);
  return arn ? { account: arn[1], resource: arn[2] } : { resource: pattern };
}

function allowedRolesValue(value: unknown): string[] {
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

function globMatches(glob: string, value: string): boolean {
  const escaped = glob.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(value);
}

function brokeredRolesValue(value: unknown, allowedRoles: string[], account?: string): BrokeredRoleConfig[] {
  const key = 'brokeredRoles';
  // From `-c brokeredRoles='[…]'` the list arrives as JSON text.
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      list = value;
    }
  }
  if (!Array.isArray(list)) {
    throw new ConfigError(key, `Configuration key ${q(key)} must be a list of {roleName, path?, managedPolicyArns?}.`);
  }
  return list.map((item, i) => {
    const at = `${key}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ConfigError(key, `Configuration key ${q(at)} must be an object {roleName, path?, managedPolicyArns?}.`);
    }
    const raw = item as Record<string, unknown>;
    const unknown = Object.keys(raw).filter(
      (k) => !['roleName', 'path', 'managedPolicyArns', 'description'].includes(k),
    );
    if (unknown.length > 0) {
      throw new ConfigError(key, `Configuration key ${q(at)} has unknown field ${show(unknown[0])}.`);
    }
    const roleName = stringValue(`${at}.roleName`, raw.roleName, ROLE_NAME, 'an IAM role name');
    const path = stringValue(`${at}.path`, raw.path ?? '/stsftw/', ROLE_PATH, 'an IAM path such as "/stsftw/"');
    const managedPolicyArns =
      raw.managedPolicyArns === undefined ? [] : listValue(`${at}.managedPolicyArns`, raw.managedPolicyArns);
    for (const arn of managedPolicyArns) stringValue(`${at}.managedPolicyArns`, arn, POLICY_ARN, 'IAM policy ARNs');
    const description =
      raw.description === undefined
        ? undefined
        : stringValue(`${at}.description`, raw.description, /^.{1,1000}$/, 'a short text');
    const resource = `role${path}${roleName}`;
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
    return { roleName, path, managedPolicyArns, ...(description ? { description } : {}) };
  });
}

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
    v('brokeredRoles') === undefined ? [] : brokeredRolesValue(v('brokeredRoles'), allowedRoles, account);

  return {
    appName,
    ...(region ? { region } : {}),
    ...(account ? { account } : {}),
    authTableName,
    requestsTableName,
    ...(domain ? { domain } : {}),
    ...(auditEmail ? { auditEmail } : {}),
    approvalTimeoutSeconds,
    allowedRoles,
    maxSessionSeconds,
    ...(reservedConcurrency ? { reservedConcurrency } : {}),
    logRetentionDays,
    brokeredRoles,
  };
}
