/**
 * The Lambdas' configuration, read once per process from the environment (docs/architecture.md,
 * "Configuration"). Each function has its own loader, requiring exactly the resources it is given (infra
 * sets a resource's variable together with its grant): the mint function knows no key, topic or state
 * machine, the verify function no state machine. Fails fast with the variable's name; nothing else in the
 * Lambdas reads `process.env`.
 */
import { InternalError } from './errors.js';
import { MAX_WAIT_SECONDS } from './request-wait.js';

/** STS_MAX_WAIT_SECONDS when unset: the API's own cap (docs/deploy.md weighs it against short polls). */
export const DEFAULT_MAX_WAIT_SECONDS = MAX_WAIT_SECONDS;

/** The tables every function reads. */
export interface TableNames {
  /** STS_TABLE_NAME: the auth table. */
  authTableName: string;
  /** STS_REQUESTS_TABLE_NAME */
  requestsTableName: string;
}

/** The settings every function is given (and validates, so a malformed one fails each cold start). */
export interface Settings {
  /** STS_APPROVAL_TIMEOUT_SECONDS (default 900): how long a request waits for its approver. */
  approvalTimeoutSeconds: number;
  /** STS_MAX_SESSION_SECONDS (default 3600, 900..3600: role chaining caps sessions at one hour). */
  maxSessionSeconds: number;
  /** STS_REQUEST_RETENTION_SECONDS (default 86400): how long a request is kept after its decision deadline. */
  requestRetentionSeconds: number;
  /** STS_ROLE_ACCOUNT_ID: the 12-digit account of bare role names. */
  roleAccountId?: string;
  /** STS_ALLOWED_ROLE_PATTERN: glob every assumed role ARN must match. */
  allowedRolePattern?: string;
  /** AWS_PARTITION (default `aws`). */
  partition: string;
}

/** The key and topic of the functions that authenticate (a lockout is published from where it happens). */
export interface AuthenticatingResources {
  /** STS_AUDIT_TOPIC_ARN */
  auditTopicArn: string;
  /** STS_KMS_KEY_ID: key id, alias or ARN of the TOTP secret key. */
  kmsKeyId: string;
}

/** The API function: it also starts executions (the task functions cannot know the ARN: it refers to them). */
export interface ApiConfig extends TableNames, Settings, AuthenticatingResources {
  /** STS_STATE_MACHINE_ARN */
  stateMachineArn: string;
  /**
   * STS_MAX_WAIT_SECONDS (default 20, 0..20): the longest long-poll (`GET /v1/requests/{id}?wait=…`) the
   * function serves, re-reading the request meanwhile; 0 answers at once (clients then poll).
   */
  maxWaitSeconds: number;
}

/**
 * Where the verify function sends approval notifications (issue 10) and what their links point at. Both
 * optional: a notification is best-effort, so a function without a topic simply notifies nobody (the stack
 * always sets both).
 */
export interface NotificationResources {
  /** STS_APPROVALS_TOPIC_ARN: the approvals topic; absent, nobody is notified. */
  approvalsTopicArn?: string;
  /**
   * STS_PUBLIC_URL: the API's address as people reach it (`https://…`, no trailing slash), for the approval
   * page's link and the `--endpoint` of the approve command; absent, notifications carry neither.
   */
  publicUrl?: string;
}

/** The verify function. */
export interface VerifyConfig extends TableNames, Settings, AuthenticatingResources, NotificationResources {}

/** The mint function: it never decrypts a secret nor publishes (the state machine publishes its audit). */
export interface MintConfig extends TableNames, Settings {}

type Env = Record<string, string | undefined>;

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const ARN = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:\S+$/;
const KMS_KEY = /^\S{1,2048}$/;
const ACCOUNT_ID = /^\d{12}$/;
const PARTITION = /^aws[a-z-]*$/;
// An https URL without query or fragment; a trailing slash is dropped when read.
const PUBLIC_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?(\/[^\s?#]*)?$/;
const ROLE_PATTERN = /^arn:[a-z-]+:iam::(\d{12}|\*):role\/[^\s,]*(\s*,\s*arn:[a-z-]+:iam::(\d{12}|\*):role\/[^\s,]*)*$/;

function invalid(name: string, what: string): InternalError {
  return new InternalError(`Configuration: ${name} ${what}.`);
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function required(env: Env, name: string, pattern: RegExp, what: string): string {
  const value = read(env, name);
  if (value === undefined) throw invalid(name, 'is not set');
  if (!pattern.test(value)) throw invalid(name, `must be ${what}`);
  return value;
}

function optional(env: Env, name: string, pattern: RegExp, what: string): string | undefined {
  const value = read(env, name);
  if (value !== undefined && !pattern.test(value)) throw invalid(name, `must be ${what}`);
  return value;
}

function seconds(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalid(name, `must be a whole number of seconds from ${min} to ${max}`);
  }
  return n;
}

function tablesAndSettings(env: Env): TableNames & Settings {
  return {
    authTableName: required(env, 'STS_TABLE_NAME', TABLE_NAME, 'a DynamoDB table name'),
    requestsTableName: required(env, 'STS_REQUESTS_TABLE_NAME', TABLE_NAME, 'a DynamoDB table name'),
    approvalTimeoutSeconds: seconds(env, 'STS_APPROVAL_TIMEOUT_SECONDS', 900, 1, 31_536_000),
    maxSessionSeconds: seconds(env, 'STS_MAX_SESSION_SECONDS', 3600, 900, 3600),
    requestRetentionSeconds: seconds(env, 'STS_REQUEST_RETENTION_SECONDS', 86_400, 60, 31_536_000),
    roleAccountId: optional(env, 'STS_ROLE_ACCOUNT_ID', ACCOUNT_ID, 'a 12-digit AWS account id'),
    allowedRolePattern: optional(
      env,
      'STS_ALLOWED_ROLE_PATTERN',
      ROLE_PATTERN,
      'IAM role ARN patterns, comma-separated, such as arn:aws:iam::123456789012:role/stsftw/*',
    ),
    partition: optional(env, 'AWS_PARTITION', PARTITION, 'an AWS partition such as aws') ?? 'aws',
  };
}

function authenticatingResources(env: Env): AuthenticatingResources {
  return {
    auditTopicArn: required(env, 'STS_AUDIT_TOPIC_ARN', ARN, 'an SNS topic ARN'),
    kmsKeyId: required(env, 'STS_KMS_KEY_ID', KMS_KEY, 'a KMS key id, alias or ARN'),
  };
}

/**
 * The API function's configuration.
 * @throws InternalError naming the first missing or malformed variable (never its value).
 */
export function loadApiConfig(env: Env): ApiConfig {
  return {
    ...tablesAndSettings(env),
    ...authenticatingResources(env),
    stateMachineArn: required(env, 'STS_STATE_MACHINE_ARN', ARN, 'a state machine ARN'),
    maxWaitSeconds: seconds(env, 'STS_MAX_WAIT_SECONDS', DEFAULT_MAX_WAIT_SECONDS, 0, MAX_WAIT_SECONDS),
  };
}

function notificationResources(env: Env): NotificationResources {
  const approvalsTopicArn = optional(env, 'STS_APPROVALS_TOPIC_ARN', ARN, 'an SNS topic ARN');
  const publicUrl = optional(env, 'STS_PUBLIC_URL', PUBLIC_URL, 'an https URL such as https://sts.example.com');
  return {
    ...(approvalsTopicArn && { approvalsTopicArn }),
    ...(publicUrl && { publicUrl: publicUrl.replace(/\/+$/, '') }),
  };
}

/** The verify function's configuration. @throws InternalError as {@link loadApiConfig}. */
export function loadVerifyConfig(env: Env): VerifyConfig {
  return { ...tablesAndSettings(env), ...authenticatingResources(env), ...notificationResources(env) };
}

/** The mint function's configuration. @throws InternalError as {@link loadApiConfig}. */
export function loadMintConfig(env: Env): MintConfig {
  return tablesAndSettings(env);
}
