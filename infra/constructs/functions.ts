/** The three Lambda functions (API, verify, mint), each with its own role, log group and least privilege. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetStaging, Aws, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bindApprovalsTopic, bindAuditTopic, bindSecretsKey, bindTable } from '../bind.js';
import { lambdaAliases, lambdaBundling } from '../bundling.js';
import type { ApprovalsTopic } from './approvals-topic.js';
import type { AuditTopic } from './audit-topic.js';
import type { SecretsKey } from './secrets-key.js';
import type { Tables } from './tables.js';

/** The API function's longest long-poll (`STS_MAX_WAIT_SECONDS`, the API's own maximum). */
export const API_MAX_WAIT_SECONDS = 20;

/** Repository root: entries, lock file and tsconfig live there. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Props of {@link Functions}. */
export interface FunctionsProps {
  tables: Tables;
  secretsKey: SecretsKey;
  audit: AuditTopic;
  /** Where the verify function notifies approvers and requesters (it alone may publish there). */
  approvals: ApprovalsTopic;
  approvalTimeoutSeconds: number;
  maxSessionSeconds: number;
  /** Allowed-role patterns, relative (`role/stsftw/*`) or full ARNs (see `InfraConfig.allowedRoles`). */
  allowedRoles: string[];
  reservedConcurrency?: number;
  logRetentionDays: number;
}

/** ESM bundles for Node.js 22 on ARM64, with the settings the benchmark measures (`infra/bundling.ts`). */
export const functionBundling: nodejs.BundlingOptions = {
  ...lambdaBundling,
  format: nodejs.OutputFormat.ESM,
  // Bundled rather than taken from the runtime: the versions we test are the versions we run.
  bundleAwsSDK: true,
  forceDockerBundling: false,
  // NodejsFunction has no `alias` option: `--alias:<module>=<path>`, the path relative to esbuild's working
  // directory, which is the project root locally and, with this, in the Docker fallback too.
  esbuildArgs: Object.fromEntries(Object.entries(lambdaAliases).map(([module, path]) => [`--alias:${module}`, path])),
  workingDirectory: AssetStaging.BUNDLING_INPUT_DIR,
};

/** Turns an `allowedRoles` entry into the ARN pattern IAM and the functions check against. */
export function allowedRoleArn(pattern: string): string {
  return pattern.startsWith('arn:') ? pattern : `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:${pattern}`;
}

/**
 * Each function gets its own role with only what its part of the broker needs:
 * - api: create and read requests, authenticate approvers, start executions and answer task tokens;
 * - verify: the state machine's checks and bookkeeping (auth entries, request status, lockout audits), and
 *   the approval notifications;
 * - mint: read the request and the entry, and assume the allowed roles (the only role with any STS right).
 * The state machine ARN is bound to the API by the stack (the workflow needs the functions first), and the
 * API's public URL to verify (the API needs the API function first).
 */
export class Functions extends Construct {
  readonly api: nodejs.NodejsFunction;
  readonly verify: nodejs.NodejsFunction;
  readonly mint: nodejs.NodejsFunction;
  /** The ARN patterns the mint role may assume (resolved from `allowedRoles`). */
  readonly allowedRoleArns: string[];

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.allowedRoleArns = props.allowedRoles.map(allowedRoleArn);
    const settings: Record<string, string> = {
      STS_APPROVAL_TIMEOUT_SECONDS: String(props.approvalTimeoutSeconds),
      STS_MAX_SESSION_SECONDS: String(props.maxSessionSeconds),
      STS_ROLE_ACCOUNT_ID: Aws.ACCOUNT_ID,
      AWS_PARTITION: Aws.PARTITION,
      // The functions check one glob; with several patterns IAM alone enforces them.
      STS_ALLOWED_ROLE_PATTERN: this.allowedRoleArns.join(','),
    };

    // 28 s: the 1.0-compatible `POST /` waits for the workflow (up to 25 s), and a long-poll GET up to
    // STS_MAX_WAIT_SECONDS (20; its cost against short polls: docs/deploy.md), inside the HTTP API's 30 s limit.
    const api = { ...settings, STS_MAX_WAIT_SECONDS: String(API_MAX_WAIT_SECONDS) };
    this.api = this.makeFunction('Api', 'api.ts', 'HTTP API (Hono)', 512, api, props, 28);
    this.verify = this.makeFunction('Verify', 'verify.ts', 'state machine: verify and record', 256, settings, props);
    this.mint = this.makeFunction('Mint', 'mint.ts', 'state machine: AssumeRole and seal', 256, settings, props);

    const { auth, requests } = props.tables;
    bindTable(this.api, 'STS_TABLE_NAME', auth, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    bindTable(this.api, 'STS_REQUESTS_TABLE_NAME', requests, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    bindSecretsKey(this.api, 'STS_KMS_KEY_ID', props.secretsKey);
    bindAuditTopic(this.api, 'STS_AUDIT_TOPIC_ARN', props.audit);

    bindTable(this.verify, 'STS_TABLE_NAME', auth, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    bindTable(this.verify, 'STS_REQUESTS_TABLE_NAME', requests, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    bindSecretsKey(this.verify, 'STS_KMS_KEY_ID', props.secretsKey);
    bindAuditTopic(this.verify, 'STS_AUDIT_TOPIC_ARN', props.audit);
    bindApprovalsTopic(this.verify, 'STS_APPROVALS_TOPIC_ARN', props.approvals);

    // Mint re-reads the entry: a role removed since the request was made is no longer granted.
    bindTable(this.mint, 'STS_TABLE_NAME', auth, ['dynamodb:GetItem']);
    bindTable(this.mint, 'STS_REQUESTS_TABLE_NAME', requests, ['dynamodb:GetItem']);
    // Mint never decrypts secrets nor publishes (the state machine does): no key, no topic, not even their names.
    this.mint.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'AssumeAllowedRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        resources: this.allowedRoleArns,
        // Only the broker's own session tags (approver, request id) may be set.
        conditions: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['stsftw:*'] } },
      }),
    );
    Validations.of(this.mint.role!).acknowledge(
      ...props.allowedRoles
        .filter((pattern) => pattern.includes('*'))
        .map((pattern) => ({
          id: `AwsSolutions-IAM5[Resource::${nagRoleResource(pattern)}]`,
          reason:
            'The mint role may assume exactly the roles the operator allowed (configuration "allowedRoles"); a path pattern such as role/stsftw/* is that allowance.',
        })),
    );
  }

  private makeFunction(
    id: string,
    entry: string,
    description: string,
    memorySize: number,
    environment: Record<string, string>,
    props: FunctionsProps,
    timeoutSeconds = 15,
  ): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: props.logRetentionDays });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `stsftw ${id.toLowerCase()} function`,
    });
    // Instead of AWSLambdaBasicExecutionRole (any log group): only this function's own.
    logGroup.grantWrite(role);
    const fn = new nodejs.NodejsFunction(this, id, {
      entry: join(projectRoot, 'lambdas', 'handlers', entry),
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      handler: 'handler',
      description: `stsftw ${description}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout: Duration.seconds(timeoutSeconds),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      // No NODE_OPTIONS=--enable-source-maps: it parses the source map on every cold start (docs/deploy.md).
      environment,
      bundling: functionBundling,
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the broker is built and tested for; runtime upgrades are deliberate.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
    });
    return fn;
  }
}

/** How cdk-nag spells an allowed-role resource in a finding id (tokens as `<AWS::…>`). */
function nagRoleResource(pattern: string): string {
  return pattern.startsWith('arn:') ? pattern : `arn:<AWS::Partition>:iam::<AWS::AccountId>:${pattern}`;
}
