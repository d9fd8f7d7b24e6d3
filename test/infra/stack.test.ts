import validator from 'asl-validator';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DECOY_CONTEXT } from '../../lambdas/core/authenticator.js';
import { placeholders } from '../../statemachine/definition.js';
import { permissions, roleStatements, type Synthesised, synthesise } from './harness.js';

const allStatements = (s: Synthesised) =>
  Object.values(s.template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);

describe('BrokerStack (default configuration)', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthesise();
  });

  describe('state machine', () => {
    it('is a Standard workflow with error-only logs without execution data, and tracing', () => {
      s.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
        TracingConfiguration: { Enabled: true },
      });
    });

    it('substitutes exactly the definition placeholders, leaving a valid definition', () => {
      const [machine] = Object.values(s.template.findResources('AWS::StepFunctions::StateMachine'));
      const { DefinitionString: text, DefinitionSubstitutions: substitutions } = machine.Properties;
      expect(typeof text).toBe('string');
      expect(Object.keys(substitutions).sort()).toEqual([...placeholders].sort());
      expect(substitutions).toEqual({
        VerifyFunctionArn: { 'Fn::GetAtt': [s.id(s.stack.functions.verify), 'Arn'] },
        MintFunctionArn: { 'Fn::GetAtt': [s.id(s.stack.functions.mint), 'Arn'] },
        RequestsTableName: { Ref: s.id(s.stack.tables.requests) },
        AuditTopicArn: { Ref: s.id(s.stack.audit.topic) },
      });
      // What CloudFormation does at deploy time, with values shaped like the real ones.
      const values: Record<string, string> = {
        VerifyFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:stsftw-Verify',
        MintFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:stsftw-Mint',
        RequestsTableName: 'stsftw-requests',
        AuditTopicArn: 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit',
      };
      const substituted = (text as string).replace(/\$\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
      expect(substituted).not.toMatch(/\$\{[^}]*\}/);
      const definition = JSON.parse(substituted);
      const result = validator(definition, { checkPaths: true, checkArn: true });
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
      // The validator does catch a broken definition (a transition to a state that does not exist).
      definition.States['Single-shot?'].Default = 'No Such State';
      expect(validator(definition, { checkPaths: true, checkArn: true }).isValid).toBe(false);
    });
  });

  describe('tables', () => {
    it.each([
      [
        'auth',
        [
          { AttributeName: 'issuer', KeyType: 'HASH' },
          { AttributeName: 'account_name', KeyType: 'RANGE' },
        ],
      ],
      ['requests', [{ AttributeName: 'id', KeyType: 'HASH' }]],
    ] as const)('%s: on-demand, PITR, deletion protection, SSE, retained, keyed as specified', (name, keySchema) => {
      const table = s.template.toJSON().Resources[s.id(s.stack.tables[name])];
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        TableName: `stsftw-${name}`,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        KeySchema: keySchema,
      });
      for (const { AttributeName } of keySchema) {
        expect(table.Properties.AttributeDefinitions).toContainEqual({ AttributeName, AttributeType: 'S' });
      }
    });

    it('expires requests through TTL on expires_at, and only requests', () => {
      const resources = s.template.toJSON().Resources;
      expect(resources[s.id(s.stack.tables.requests)].Properties.TimeToLiveSpecification).toEqual({
        AttributeName: 'expires_at',
        Enabled: true,
      });
      expect(resources[s.id(s.stack.tables.auth)].Properties.TimeToLiveSpecification).toBeUndefined();
    });
  });

  describe('keys and topic', () => {
    it('rotates the retained TOTP secrets key', () => {
      const key = s.template.toJSON().Resources[s.id(s.stack.secretsKey.key)];
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
    });

    it('encrypts the audit topic with its own rotated key and refuses publishing without TLS', () => {
      s.template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [s.id(s.stack.audit.key), 'Arn'] },
      });
      s.template.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        Description: Match.stringLikeRegexp('audit'),
      });
      s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('has no e-mail subscription unless auditEmail is set', () => {
      s.template.resourceCountIs('AWS::SNS::Subscription', 0);
    });
  });

  describe('functions', () => {
    it('runs three Node.js 22 ARM64 functions with JSON logs and tracing, without parsing source maps at start', () => {
      s.template.resourceCountIs('AWS::Lambda::Function', 3);
      for (const fn of Object.values(s.template.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON' },
        });
        // --enable-source-maps would parse the source map on every cold start (docs/benchmarks.md).
        expect(fn.Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
      }
    });

    it('gives the API time to answer a 1.0 single call within the HTTP API limit (30 s)', () => {
      const timeout = (name: 'api' | 'verify' | 'mint') =>
        s.template.toJSON().Resources[s.id(s.stack.functions[name])].Properties.Timeout;
      expect(timeout('api')).toBeGreaterThan(25);
      expect(timeout('api')).toBeLessThan(30);
      expect(timeout('verify')).toBe(15);
      expect(timeout('mint')).toBe(15);
    });

    it('lets the API long-poll for 20 s (STS_MAX_WAIT_SECONDS), well inside its own timeout', () => {
      const fn = (name: 'api' | 'verify' | 'mint') => s.template.toJSON().Resources[s.id(s.stack.functions[name])];
      expect(fn('api').Properties.Environment.Variables.STS_MAX_WAIT_SECONDS).toBe('20');
      expect(fn('api').Properties.Timeout).toBeGreaterThan(20 + 5);
      expect(fn('verify').Properties.Environment.Variables.STS_MAX_WAIT_SECONDS).toBeUndefined();
      expect(fn('mint').Properties.Environment.Variables.STS_MAX_WAIT_SECONDS).toBeUndefined();
    });

    it('keeps each function log for a month', () => {
      for (const name of ['api', 'verify', 'mint'] as const) {
        const fn = s.template.toJSON().Resources[s.id(s.stack.functions[name])];
        const logGroup = s.template.toJSON().Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
        expect(logGroup.Properties.RetentionInDays).toBe(30);
      }
    });

    it('gives each function the variables it reads: the key and topic not to mint, the state machine only to the API', () => {
      const env = (name: 'api' | 'verify' | 'mint') =>
        s.template.toJSON().Resources[s.id(s.stack.functions[name])].Properties.Environment.Variables;
      const tables = ['STS_TABLE_NAME', 'STS_REQUESTS_TABLE_NAME'];
      const keyAndTopic = ['STS_AUDIT_TOPIC_ARN', 'STS_KMS_KEY_ID'];
      for (const name of ['api', 'verify'] as const) {
        expect(Object.keys(env(name))).toEqual(expect.arrayContaining([...tables, ...keyAndTopic]));
      }
      expect(Object.keys(env('mint'))).toEqual(expect.arrayContaining(tables));
      for (const name of keyAndTopic) expect(env('mint')[name]).toBeUndefined();
      for (const name of ['api', 'verify', 'mint'] as const) {
        expect(env(name)).toMatchObject({
          STS_APPROVAL_TIMEOUT_SECONDS: '900',
          STS_MAX_SESSION_SECONDS: '3600',
          STS_ROLE_ACCOUNT_ID: { Ref: 'AWS::AccountId' },
          STS_ALLOWED_ROLE_PATTERN: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/stsftw/*'],
            ],
          },
        });
      }
      expect(env('api').STS_STATE_MACHINE_ARN).toEqual({ Ref: s.id(s.stack.workflow.stateMachine) });
      expect(env('verify').STS_STATE_MACHINE_ARN).toBeUndefined();
      expect(env('mint').STS_STATE_MACHINE_ARN).toBeUndefined();
    });
  });

  describe('least privilege', () => {
    let ids: Record<string, string>;
    beforeAll(() => {
      const { tables, secretsKey, audit, functions, workflow } = s.stack;
      const logGroup = (name: 'api' | 'verify' | 'mint') =>
        s.template.toJSON().Resources[s.id(functions[name])].Properties.LoggingConfig.LogGroup.Ref as string;
      ids = {
        auth: s.id(tables.auth),
        requests: s.id(tables.requests),
        secrets: s.id(secretsKey.key),
        auditKey: s.id(audit.key),
        topic: s.id(audit.topic),
        machine: s.id(workflow.stateMachine),
        verify: s.id(functions.verify),
        mint: s.id(functions.mint),
        apiLogs: logGroup('api'),
        verifyLogs: logGroup('verify'),
        mintLogs: logGroup('mint'),
      };
    });
    const role = (name: 'api' | 'verify' | 'mint') => s.id(s.stack.functions[name].role!);

    it('never grants a wildcard action', () => {
      const actions = allStatements(s).flatMap((st) => [st.Action].flat());
      expect(actions.length).toBeGreaterThan(20);
      for (const action of actions) expect(action).not.toContain('*');
    });

    it('API: requests and auth items, context-bound decrypt, audit, start and answer executions', () => {
      expect(permissions(s.template, role('api'))).toEqual(
        [
          `logs:CreateLogStream @ arn:${ids.apiLogs}`,
          `logs:PutLogEvents @ arn:${ids.apiLogs}`,
          'xray:PutTraceSegments @ *',
          'xray:PutTelemetryRecords @ *',
          `dynamodb:GetItem @ arn:${ids.auth}`,
          `dynamodb:UpdateItem @ arn:${ids.auth}`,
          `dynamodb:GetItem @ arn:${ids.requests}`,
          `dynamodb:PutItem @ arn:${ids.requests}`,
          `dynamodb:UpdateItem @ arn:${ids.requests}`,
          `kms:Decrypt @ arn:${ids.secrets}`,
          `kms:Encrypt @ arn:${ids.secrets}`,
          `sns:Publish @ ref:${ids.topic}`,
          `kms:GenerateDataKey @ arn:${ids.auditKey}`,
          `kms:Decrypt @ arn:${ids.auditKey}`,
          `states:StartExecution @ ref:${ids.machine}`,
          `states:SendTaskSuccess @ ref:${ids.machine}`,
          `states:SendTaskFailure @ ref:${ids.machine}`,
        ].sort(),
      );
    });

    it('verify: auth and request items, context-bound decrypt, lockout audits, approval notifications', () => {
      expect(permissions(s.template, role('verify'))).toEqual(
        [
          `sns:Publish @ ref:${s.id(s.stack.approvals.topic)}`,
          `logs:CreateLogStream @ arn:${ids.verifyLogs}`,
          `logs:PutLogEvents @ arn:${ids.verifyLogs}`,
          'xray:PutTraceSegments @ *',
          'xray:PutTelemetryRecords @ *',
          `dynamodb:GetItem @ arn:${ids.auth}`,
          `dynamodb:UpdateItem @ arn:${ids.auth}`,
          `dynamodb:GetItem @ arn:${ids.requests}`,
          `dynamodb:UpdateItem @ arn:${ids.requests}`,
          `kms:Decrypt @ arn:${ids.secrets}`,
          `kms:Encrypt @ arn:${ids.secrets}`,
          `sns:Publish @ ref:${ids.topic}`,
          `kms:GenerateDataKey @ arn:${ids.auditKey}`,
          `kms:Decrypt @ arn:${ids.auditKey}`,
        ].sort(),
      );
    });

    it('mint: reads the request and the entry, assumes only the allowed role pattern, with broker session tags', () => {
      const pattern = 'arn:<ref:AWS::Partition>:iam::<ref:AWS::AccountId>:role/stsftw/*';
      expect(permissions(s.template, role('mint'))).toEqual(
        [
          `logs:CreateLogStream @ arn:${ids.mintLogs}`,
          `logs:PutLogEvents @ arn:${ids.mintLogs}`,
          'xray:PutTraceSegments @ *',
          'xray:PutTelemetryRecords @ *',
          `dynamodb:GetItem @ arn:${ids.auth}`,
          `dynamodb:GetItem @ arn:${ids.requests}`,
          `sts:AssumeRole @ ${pattern}`,
          `sts:TagSession @ ${pattern}`,
          `sts:SetSourceIdentity @ ${pattern}`,
        ].sort(),
      );
      const sts = roleStatements(s.template, role('mint')).find((st) => [st.Action].flat().includes('sts:AssumeRole'));
      expect(sts?.Condition).toEqual({ 'ForAllValues:StringLike': { 'aws:TagKeys': ['stsftw:*'] } });
    });

    it('state machine: invokes exactly the two functions, updates requests, publishes audits', () => {
      const lines = permissions(s.template, s.id(s.stack.workflow.stateMachine.role));
      expect(lines.filter((l) => !/^(logs|xray):/.test(l))).toEqual(
        [
          `lambda:InvokeFunction @ arn:${ids.verify}`,
          `lambda:InvokeFunction @ arn:${ids.mint}`,
          `dynamodb:UpdateItem @ arn:${ids.requests}`,
          `sns:Publish @ ref:${ids.topic}`,
          `kms:GenerateDataKey @ arn:${ids.auditKey}`,
          `kms:Decrypt @ arn:${ids.auditKey}`,
        ].sort(),
      );
      // Log delivery and X-Ray: actions without resource-level permissions.
      for (const line of lines.filter((l) => /^(logs|xray):/.test(l))) expect(line).toMatch(/ @ \*$/);
    });

    it('binds TOTP secret decryption to the {issuer, account_name} encryption context', () => {
      for (const name of ['api', 'verify'] as const) {
        const decrypt = roleStatements(s.template, role(name)).find(
          (st) => JSON.stringify(st.Resource).includes(ids.secrets) && [st.Action].flat().includes('kms:Decrypt'),
        );
        expect(decrypt?.Condition).toEqual({
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['issuer', 'account_name'] },
          Null: { 'kms:EncryptionContext:issuer': 'false', 'kms:EncryptionContext:account_name': 'false' },
        });
      }
    });

    it('lets the code-checking functions encrypt only the timing decoy, never a real entry', () => {
      for (const name of ['api', 'verify'] as const) {
        const encrypt = roleStatements(s.template, role(name)).find(
          (st) => JSON.stringify(st.Resource).includes(ids.secrets) && [st.Action].flat().includes('kms:Encrypt'),
        );
        expect(encrypt?.Condition).toEqual({
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['issuer', 'account_name'] },
          StringEquals: {
            'kms:EncryptionContext:issuer': DECOY_CONTEXT.issuer,
            'kms:EncryptionContext:account_name': DECOY_CONTEXT.account_name,
          },
        });
        expect(DECOY_CONTEXT.issuer.startsWith(' ')).toBe(true);
      }
    });

    it('lets only the API answer task tokens and only mint call STS', () => {
      for (const policy of Object.values(s.template.findResources('AWS::IAM::Policy'))) {
        const actions = policy.Properties.PolicyDocument.Statement.flatMap((st: { Action: unknown }) =>
          [st.Action].flat(),
        );
        const roles = policy.Properties.Roles.map((r: { Ref: string }) => r.Ref);
        if (actions.some((a: string) => a.startsWith('states:SendTask'))) expect(roles).toEqual([role('api')]);
        if (actions.some((a: string) => a.startsWith('sts:'))) expect(roles).toEqual([role('mint')]);
      }
    });
  });

  describe('API', () => {
    it('sends every route to the API function through a throttled, access-logged $default stage', () => {
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': [s.id(s.stack.functions.api), 'Arn'] },
        PayloadFormatVersion: '2.0',
      });
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      });
      s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: false });
    });

    it('creates no custom domain resources unless configured', () => {
      for (const type of [
        'AWS::CertificateManager::Certificate',
        'AWS::ApiGatewayV2::DomainName',
        'AWS::ApiGatewayV2::ApiMapping',
        'AWS::Route53::RecordSet',
      ]) {
        s.template.resourceCountIs(type, 0);
      }
    });
  });

  describe('outputs', () => {
    it('tells the CLI what to set', () => {
      const outputs = s.template.toJSON().Outputs;
      expect(Object.keys(outputs)).toEqual(
        expect.arrayContaining([
          'Endpoint',
          'AuthTableName',
          'RequestsTableName',
          'KmsKeyId',
          'AuditTopicArn',
          'StateMachineArn',
          'Exports',
        ]),
      );
      const endpoint = { 'Fn::GetAtt': [s.id(s.stack.api.httpApi), 'ApiEndpoint'] };
      expect(outputs.Endpoint.Value).toEqual(endpoint);
      expect(outputs.KmsKeyId.Value).toEqual({ Ref: s.id(s.stack.secretsKey.key) });
      expect(outputs.Exports.Value).toEqual({
        'Fn::Join': [
          '',
          [
            'export STS_ENDPOINT=',
            endpoint,
            ' STS_TABLE_NAME=',
            { Ref: s.id(s.stack.tables.auth) },
            ' STS_KMS_KEY_ID=',
            { Ref: s.id(s.stack.secretsKey.key) },
            ' AWS_REGION=',
            { Ref: 'AWS::Region' },
          ],
        ],
      });
    });
  });
});

describe('BrokerStack (full configuration)', () => {
  let s: Synthesised;
  beforeAll(() => {
    s = synthesise({
      appName: 'acme-sts',
      region: 'eu-west-1',
      account: '123456789012',
      domainName: 'sts.example.com',
      hostedZoneName: 'example.com',
      hostedZoneId: 'Z0123456789ABC',
      auditEmail: 'security@example.com',
      approvalTimeoutSeconds: 600,
      maxSessionSeconds: 1800,
      allowedRoles: ['role/stsftw/*', 'arn:aws:iam::210987654321:role/deploy'],
      reservedConcurrency: 5,
      logRetentionDays: 90,
      brokeredRoles: [
        { roleName: 'readonly', managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] },
        { fullRoleName: 'AccountAdmin', path: '/stsftw/' },
      ],
    });
  });

  it('names brokered roles <appName>-<roleName>, or exactly their fullRoleName', () => {
    const names = s.stack.brokeredRoles.map(
      (b) => s.template.toJSON().Resources[s.id(b.role)].Properties.RoleName as string,
    );
    expect(names).toEqual(['acme-sts-readonly', 'AccountAdmin']);
  });

  it('serves the API on the custom domain only: certificate, domain name, mapping and alias record', () => {
    s.template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'sts.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'sts.example.com', HostedZoneId: 'Z0123456789ABC' }],
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'sts.example.com',
      DomainNameConfigurations: [Match.objectLike({ SecurityPolicy: 'TLS_1_2' })],
    });
    s.template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    s.template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'sts.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789ABC',
    });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { DisableExecuteApiEndpoint: true });
    expect(s.template.toJSON().Outputs.Endpoint.Value).toBe('https://sts.example.com');
  });

  it('subscribes the audit e-mail address', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'security@example.com' });
  });

  it('passes timeouts, reserved concurrency and retention through', () => {
    for (const fn of Object.values(s.template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
      expect(fn.Properties.Environment.Variables).toMatchObject({
        STS_APPROVAL_TIMEOUT_SECONDS: '600',
        STS_MAX_SESSION_SECONDS: '1800',
      });
      // Several patterns: IAM enforces them and the functions check the same list, comma-separated.
      expect(JSON.stringify(fn.Properties.Environment.Variables.STS_ALLOWED_ROLE_PATTERN)).toContain(',');
    }
    s.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    expect(s.template.toJSON().Resources[s.id(s.stack.tables.auth)].Properties.TableName).toBe('acme-sts-auth');
  });

  it('lets mint assume every configured pattern and nothing else', () => {
    const sts = permissions(s.template, s.id(s.stack.functions.mint.role!)).filter((l) => l.startsWith('sts:'));
    const patterns = [
      'arn:<ref:AWS::Partition>:iam::<ref:AWS::AccountId>:role/stsftw/*',
      'arn:aws:iam::210987654321:role/deploy',
    ];
    expect(sts).toEqual(
      ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']
        .flatMap((a) => patterns.map((p) => `${a} @ ${p}`))
        .sort(),
    );
  });

  it('creates brokered roles that trust only the mint role', () => {
    const role = s.template.toJSON().Resources[s.id(s.stack.brokeredRoles[0].role)];
    expect(role.Properties).toMatchObject({
      RoleName: 'acme-sts-readonly',
      Path: '/stsftw/',
      MaxSessionDuration: 3600,
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    const mintRole = { 'Fn::GetAtt': [s.id(s.stack.functions.mint.role!), 'Arn'] };
    const trusted = role.Properties.AssumeRolePolicyDocument.Statement.flatMap(
      (st: { Effect: string; Principal: unknown; Action: string | string[] }) => {
        expect(st.Effect).toBe('Allow');
        expect(st.Principal).toEqual({ AWS: mintRole });
        return [st.Action].flat();
      },
    );
    expect(trusted.sort()).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession']);
  });
});
