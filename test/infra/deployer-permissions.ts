/**
 * What CloudFormation does with its execution role while it deploys the broker stack: for every resource
 * of a synthesised template, the IAM actions its handlers call and the ARN they call them on.
 *
 * The actions are the `handlers.{create,read,update,delete}.permissions` of each type's CloudFormation
 * registry schema (AWS::IAM::Policy and AWS::Route53::RecordSet have none: their APIs), trimmed to the
 * features this stack uses; each trim is named below. Delete-handler actions are left out for resources
 * CloudFormation retains. docs.test.ts checks the execution policy in docs/deploy.md against this, both
 * ways: everything needed is granted, nothing granted is unneeded.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** One action on one ARN; `resource: '*'` for actions that support no resource-level permissions. */
export interface Need {
  action: string;
  resource: string;
  /** `Type LogicalId`, for messages. */
  why: string;
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DeletionPolicy?: string;
}

interface Context {
  account: string;
  region: string;
  stackName: string;
  logicalId: string;
  /** The ARN a `Ref`/`Fn::GetAtt … Arn` (or a literal ARN) stands for. */
  arnOf(value: unknown): string;
}

interface TypeRule {
  /** Create, read and update handlers, on the resource's own ARN(s). */
  actions: string[];
  /** Delete handler: not needed when CloudFormation retains the resource. */
  deleteActions?: string[];
  /** Actions without resource-level permissions. */
  unscoped?: string[];
  arns(r: CfnResource, c: Context): string[];
  /** Actions on other resources: the role a function gets passed, the code it is read from. */
  related?(r: CfnResource, c: Context): { action: string; resource: string }[];
}

/** Physical names CloudFormation generates when the template gives none: `<stack>-<logicalId>-<suffix>`. */
const generated = (c: Context) => `${c.stackName}-${c.logicalId}-EXAMPLE`;

/** CloudWatch Logs vended delivery, which Step Functions and HTTP API access logs set up with the caller's rights. */
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

const API_GATEWAY = ['apigateway:POST', 'apigateway:GET', 'apigateway:PUT', 'apigateway:PATCH'];
const apiGateway = (c: Context, ...paths: string[]) => paths.map((p) => `arn:aws:apigateway:${c.region}::${p}`);

const rules: Record<string, TypeRule> = {
  // Trimmed: replicas, Kinesis streaming, S3 import, contributor-insights updates, resource policies, item
  // writes, customer-managed SSE keys (the tables use the AWS managed key, whose key policy admits DynamoDB
  // callers of the account).
  'AWS::DynamoDB::Table': {
    actions: [
      'dynamodb:CreateTable',
      'dynamodb:DescribeTable',
      'dynamodb:UpdateTable',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:DescribeContributorInsights',
      'dynamodb:DescribeKinesisStreamingDestination',
      'dynamodb:GetResourcePolicy',
      'dynamodb:TagResource',
      'dynamodb:UntagResource',
      'dynamodb:ListTagsOfResource',
    ],
    deleteActions: ['dynamodb:DeleteTable'],
    arns: (r, c) => [`arn:aws:dynamodb:${c.region}:${c.account}:table/${r.Properties?.TableName ?? generated(c)}`],
  },
  'AWS::KMS::Key': {
    actions: [
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:PutKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:EnableKeyRotation',
      'kms:DisableKeyRotation',
      'kms:EnableKey',
      'kms:DisableKey',
      'kms:UpdateKeyDescription',
      'kms:ListResourceTags',
      'kms:TagResource',
      'kms:UntagResource',
    ],
    deleteActions: ['kms:ScheduleKeyDeletion'],
    unscoped: ['kms:CreateKey'],
    arns: (_r, c) => [`arn:aws:kms:${c.region}:${c.account}:key/${c.logicalId}-EXAMPLE`],
  },
  // CreateAlias and UpdateAlias are authorised on the alias and on its key.
  'AWS::KMS::Alias': {
    actions: ['kms:CreateAlias', 'kms:UpdateAlias'],
    deleteActions: ['kms:DeleteAlias'],
    unscoped: ['kms:ListAliases'],
    arns: (r, c) => [
      `arn:aws:kms:${c.region}:${c.account}:${r.Properties?.AliasName}`,
      c.arnOf(r.Properties?.TargetKeyId),
    ],
  },
  // Trimmed: data protection policies, inline subscriptions, delivery-status logging roles.
  'AWS::SNS::Topic': {
    actions: [
      'sns:CreateTopic',
      'sns:GetTopicAttributes',
      'sns:SetTopicAttributes',
      'sns:GetDataProtectionPolicy',
      'sns:ListSubscriptionsByTopic',
      'sns:TagResource',
      'sns:UntagResource',
      'sns:ListTagsForResource',
    ],
    deleteActions: ['sns:DeleteTopic'],
    arns: (r, c) => [`arn:aws:sns:${c.region}:${c.account}:${r.Properties?.TopicName ?? generated(c)}`],
  },
  'AWS::SNS::TopicPolicy': {
    actions: ['sns:SetTopicAttributes'],
    arns: (r, c) => ((r.Properties?.Topics ?? []) as unknown[]).map((t) => c.arnOf(t)),
  },
  'AWS::SNS::Subscription': {
    actions: ['sns:Subscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
    deleteActions: ['sns:Unsubscribe'],
    arns: (r, c) => [c.arnOf(r.Properties?.TopicArn), `${c.arnOf(r.Properties?.TopicArn)}:EXAMPLE`],
  },
  // Trimmed: data protection policies, KMS key association, Firehose/S3 delivery.
  'AWS::Logs::LogGroup': {
    actions: [
      'logs:CreateLogGroup',
      'logs:PutRetentionPolicy',
      'logs:DeleteRetentionPolicy',
      'logs:GetDataProtectionPolicy',
      'logs:TagResource',
      'logs:UntagResource',
      'logs:ListTagsForResource',
    ],
    deleteActions: ['logs:DeleteLogGroup'],
    unscoped: ['logs:DescribeLogGroups'],
    arns: (r, c) => [`arn:aws:logs:${c.region}:${c.account}:log-group:${r.Properties?.LogGroupName ?? generated(c)}`],
  },
  // Trimmed: permissions boundaries.
  'AWS::IAM::Role': {
    actions: [
      'iam:CreateRole',
      'iam:GetRole',
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy',
      'iam:PutRolePolicy',
      'iam:GetRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:AttachRolePolicy',
      'iam:DetachRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
      'iam:TagRole',
      'iam:UntagRole',
    ],
    deleteActions: ['iam:DeleteRole'],
    arns: (r, c) => [
      `arn:aws:iam::${c.account}:role${r.Properties?.Path ?? '/'}${r.Properties?.RoleName ?? generated(c)}`,
    ],
  },
  // Not a registry type: CloudFormation calls the inline-policy APIs of each role.
  'AWS::IAM::Policy': {
    actions: ['iam:PutRolePolicy', 'iam:GetRolePolicy'],
    deleteActions: ['iam:DeleteRolePolicy'],
    arns: (r, c) => ((r.Properties?.Roles ?? []) as unknown[]).map((role) => c.arnOf(role)),
  },
  // Trimmed: VPC and file systems, layers, code signing, customer-managed environment keys, versions, capacity
  // providers, recursion/runtime/scaling settings (read, never set). Lambda reads the code zip from S3 with
  // the caller's credentials.
  'AWS::Lambda::Function': {
    actions: [
      'lambda:CreateFunction',
      'lambda:GetFunction',
      'lambda:UpdateFunctionCode',
      'lambda:UpdateFunctionConfiguration',
      'lambda:GetFunctionCodeSigningConfig',
      'lambda:GetFunctionRecursionConfig',
      'lambda:GetRuntimeManagementConfig',
      'lambda:GetFunctionScalingConfig',
      'lambda:TagResource',
      'lambda:UntagResource',
    ],
    deleteActions: ['lambda:DeleteFunction'],
    arns: (r, c) => [`arn:aws:lambda:${c.region}:${c.account}:function:${r.Properties?.FunctionName ?? generated(c)}`],
    related: (r, c) => {
      const p = r.Properties ?? {};
      const bucket = c.arnOf(p.Code?.S3Bucket);
      return [
        { action: 'iam:PassRole', resource: c.arnOf(p.Role) },
        { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${p.Code?.S3Key}` },
        ...(p.ReservedConcurrentExecutions === undefined
          ? []
          : ['lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency'].map((action) => ({
              action,
              resource: `arn:aws:lambda:${c.region}:${c.account}:function:${p.FunctionName ?? generated(c)}`,
            }))),
      ];
    },
  },
  'AWS::Lambda::Permission': {
    actions: ['lambda:AddPermission', 'lambda:GetPolicy'],
    deleteActions: ['lambda:RemovePermission'],
    arns: (r, c) => [c.arnOf(r.Properties?.FunctionName)],
  },
  // Trimmed: definitions read from S3. CloudFormation names state machines `<logicalId>-<suffix>`.
  'AWS::StepFunctions::StateMachine': {
    actions: [
      'states:CreateStateMachine',
      'states:UpdateStateMachine',
      'states:DescribeStateMachine',
      'states:TagResource',
      'states:UntagResource',
      'states:ListTagsForResource',
    ],
    deleteActions: ['states:DeleteStateMachine'],
    arns: (r, c) => [
      `arn:aws:states:${c.region}:${c.account}:stateMachine:${r.Properties?.StateMachineName ?? `${c.logicalId}-EXAMPLE`}`,
    ],
    related: (r, c) => [
      { action: 'iam:PassRole', resource: c.arnOf(r.Properties?.RoleArn) },
      ...(r.Properties?.LoggingConfiguration ? LOG_DELIVERY.map((action) => ({ action, resource: '*' })) : []),
    ],
  },
  // Trimmed: OpenAPI bodies from S3.
  'AWS::ApiGatewayV2::Api': {
    actions: API_GATEWAY,
    deleteActions: ['apigateway:DELETE'],
    arns: (_r, c) => apiGateway(c, '/apis', '/apis/EXAMPLE'),
  },
  // Trimmed: integration credentials (a role API Gateway would assume).
  'AWS::ApiGatewayV2::Integration': {
    actions: API_GATEWAY,
    deleteActions: ['apigateway:DELETE'],
    arns: (_r, c) => apiGateway(c, '/apis/EXAMPLE/integrations', '/apis/EXAMPLE/integrations/EXAMPLE'),
  },
  'AWS::ApiGatewayV2::Route': {
    actions: API_GATEWAY,
    deleteActions: ['apigateway:DELETE'],
    arns: (_r, c) => apiGateway(c, '/apis/EXAMPLE/routes', '/apis/EXAMPLE/routes/EXAMPLE'),
  },
  // Access logs: the permissions of the API Gateway guide, "Configure logging for HTTP APIs", less
  // logs:CreateLogGroup (the log group is a resource of its own) and the console's read actions.
  'AWS::ApiGatewayV2::Stage': {
    actions: [...API_GATEWAY, 'apigateway:TagResource', 'apigateway:UntagResource'],
    deleteActions: ['apigateway:DELETE'],
    arns: (_r, c) => apiGateway(c, '/apis/EXAMPLE/stages', '/apis/EXAMPLE/stages/EXAMPLE'),
    related: (r) => (r.Properties?.AccessLogSettings ? LOG_DELIVERY.map((action) => ({ action, resource: '*' })) : []),
  },
  'AWS::ApiGatewayV2::DomainName': {
    actions: API_GATEWAY,
    deleteActions: ['apigateway:DELETE'],
    arns: (r, c) => apiGateway(c, '/domainnames', `/domainnames/${r.Properties?.DomainName}`),
  },
  'AWS::ApiGatewayV2::ApiMapping': {
    actions: API_GATEWAY,
    deleteActions: ['apigateway:DELETE'],
    arns: (_r, c) => apiGateway(c, '/domainnames/EXAMPLE/apimappings', '/domainnames/EXAMPLE/apimappings/EXAMPLE'),
  },
  // Trimmed: private CAs. DNS validation writes the validation record into the given zone.
  'AWS::CertificateManager::Certificate': {
    actions: [
      'acm:DescribeCertificate',
      'acm:AddTagsToCertificate',
      'acm:RemoveTagsFromCertificate',
      'acm:ListTagsForCertificate',
      'acm:UpdateCertificateOptions',
    ],
    deleteActions: ['acm:DeleteCertificate'],
    unscoped: ['acm:RequestCertificate'],
    arns: (_r, c) => [`arn:aws:acm:${c.region}:${c.account}:certificate/EXAMPLE`],
    related: (r) =>
      ((r.Properties?.DomainValidationOptions ?? []) as { HostedZoneId?: string }[])
        .filter((o) => o.HostedZoneId)
        .map((o) => ({
          action: 'route53:ChangeResourceRecordSets',
          resource: `arn:aws:route53:::hostedzone/${o.HostedZoneId}`,
        })),
  },
  // Not a registry type: the record APIs of the zone, then waiting for the change.
  'AWS::Route53::RecordSet': {
    actions: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets', 'route53:GetHostedZone'],
    arns: (r) => [`arn:aws:route53:::hostedzone/${r.Properties?.HostedZoneId}`],
    related: () => [{ action: 'route53:GetChange', resource: 'arn:aws:route53:::change/EXAMPLE' }],
  },
};

/** Resource types of the template that the rules above do not describe. */
export function unknownTypes(template: Template): string[] {
  const types = Object.values(template.toJSON().Resources as Record<string, CfnResource>).map((r) => r.Type);
  return [...new Set(types)].filter((type) => !rules[type]).sort();
}

/** `${AWS::AccountId}` and friends, as CloudFormation substitutes them in this account and region. */
function substitute(text: string, account: string, region: string): string {
  const values: Record<string, string> = { 'AWS::AccountId': account, 'AWS::Region': region, 'AWS::Partition': 'aws' };
  return text.replace(/\$\{(AWS::\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Every action CloudFormation's execution role needs to deploy, update and delete `template` as stack
 * `stackName` in `account`/`region`, including resolving the template's SSM parameters.
 */
export function requiredPermissions(template: Template, stackName: string, account: string, region: string): Need[] {
  const json = template.toJSON() as {
    Resources: Record<string, CfnResource>;
    Parameters?: Record<string, { Type: string; Default?: string }>;
  };
  const base = { account, region, stackName };
  const ctx = (logicalId: string): Context => ({ ...base, logicalId, arnOf });
  function arnOf(value: unknown): string {
    if (typeof value === 'string') return value;
    const v = value as Record<string, any>;
    if (v?.['Fn::Sub']) return substitute(v['Fn::Sub'], account, region);
    const id = v?.Ref ?? (v?.['Fn::GetAtt']?.[1] === 'Arn' ? v['Fn::GetAtt'][0] : undefined);
    const target = id === undefined ? undefined : json.Resources[id];
    if (!target || !rules[target.Type]) throw new Error(`No ARN for ${JSON.stringify(value)}`);
    return rules[target.Type].arns(target, ctx(id))[0];
  }

  const needs: Need[] = [];
  for (const [logicalId, r] of Object.entries(json.Resources)) {
    const rule = rules[r.Type];
    if (!rule) continue;
    const c = ctx(logicalId);
    const why = `${r.Type} ${logicalId}`;
    const retained = r.DeletionPolicy === 'Retain';
    const own = [...rule.actions, ...(retained ? [] : (rule.deleteActions ?? []))];
    for (const resource of rule.arns(r, c)) for (const action of own) needs.push({ action, resource, why });
    for (const action of rule.unscoped ?? []) needs.push({ action, resource: '*', why });
    for (const n of rule.related?.(r, c) ?? []) needs.push({ ...n, why });
  }
  for (const [name, p] of Object.entries(json.Parameters ?? {})) {
    if (!p.Type.startsWith('AWS::SSM::Parameter::') || !p.Default) continue;
    const resource = `arn:aws:ssm:${region}:${account}:parameter${p.Default}`;
    needs.push({ action: 'ssm:GetParameters', resource, why: `Parameter ${name}` });
  }
  return needs;
}

/** One statement of an identity policy as documented. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** IAM's wildcard match: `*` any run of characters, `?` one; actions ignore case, ARNs do not. */
function globMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/**
 * Whether `statement` allows `need`. An unscoped need (`*`) is only met by a statement on `"*"`, as IAM
 * requires for actions without resource-level permissions. Conditions are not evaluated.
 */
export function statementAllows(statement: PolicyStatement, need: Pick<Need, 'action' | 'resource'>): boolean {
  if (statement.Effect !== 'Allow') return false;
  if (!list(statement.Action).some((a) => globMatches(a, need.action, true))) return false;
  const resources = list(statement.Resource);
  return need.resource === '*' ? resources.includes('*') : resources.some((r) => globMatches(r, need.resource, false));
}

/** The grants of `statements` that no need uses, as `Sid: action` and `Sid: resource` lines. */
export function unusedGrants(statements: PolicyStatement[], needs: Need[]): string[] {
  const unused: string[] = [];
  for (const s of statements) {
    for (const action of list(s.Action)) {
      const used = needs.some((n) => globMatches(action, n.action, true) && statementAllows(s, n));
      if (!used) unused.push(`${s.Sid}: ${action}`);
    }
    for (const resource of list(s.Resource)) {
      const narrowed = { ...s, Resource: resource };
      if (!needs.some((n) => statementAllows(narrowed, n))) unused.push(`${s.Sid}: ${resource}`);
    }
  }
  return unused;
}
