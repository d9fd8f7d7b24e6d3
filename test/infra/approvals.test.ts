/** The approver's side on AWS (issue 10): the approvals topic, its filtered e-mail subscriptions, and the page's route. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { approvalMessage } from '../../lambdas/adapters/aws/approval-message.js';
import { awaitingNotification } from '../../lambdas/core/notification.js';
import type { RequestRecord } from '../../lambdas/core/types.js';
import { type Synthesised, synthesise } from './harness.js';

/** Every identity-policy statement that allows `sns:Publish` on `topicId`, with the roles it is attached to. */
function publishers(s: Synthesised, topicId: string): string[] {
  const roles: string[] = [];
  for (const policy of Object.values(s.template.findResources('AWS::IAM::Policy'))) {
    const statements = policy.Properties.PolicyDocument.Statement as {
      Effect: string;
      Action: unknown;
      Resource: unknown;
    }[];
    const allows = statements.some(
      (st) =>
        st.Effect === 'Allow' &&
        [st.Action].flat().includes('sns:Publish') &&
        JSON.stringify(st.Resource).includes(`"${topicId}"`),
    );
    if (allows) roles.push(...policy.Properties.Roles.map((r: { Ref: string }) => r.Ref));
  }
  return roles;
}

const env = (s: Synthesised, name: 'api' | 'verify' | 'mint') =>
  s.template.toJSON().Resources[s.id(s.stack.functions[name])].Properties.Environment.Variables;

describe('approvals topic (default configuration)', () => {
  let s: Synthesised;
  let topic: string;
  beforeAll(() => {
    s = synthesise();
    topic = s.id(s.stack.approvals.topic);
  });

  it('is encrypted with the audit topic key and refuses publishing without TLS', () => {
    expect(s.template.toJSON().Resources[topic].Properties).toEqual({
      DisplayName: 'stsftw approvals',
      KmsMasterKeyId: { 'Fn::GetAtt': [s.id(s.stack.audit.key), 'Arn'] },
    });
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topic }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Resource: { Ref: topic },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
  });

  it('may be published to by the verify function only (no topic policy allows anyone)', () => {
    expect(publishers(s, topic)).toEqual([s.id(s.stack.functions.verify.role!)]);
    for (const policy of Object.values(s.template.findResources('AWS::SNS::TopicPolicy'))) {
      for (const st of policy.Properties.PolicyDocument.Statement) expect(st.Effect).toBe('Deny');
    }
  });

  it('is named to the verify function with the API URL for links, and to no other function', () => {
    expect(env(s, 'verify')).toMatchObject({
      STS_APPROVALS_TOPIC_ARN: { Ref: topic },
      STS_PUBLIC_URL: { 'Fn::GetAtt': [s.id(s.stack.api.httpApi), 'ApiEndpoint'] },
    });
    for (const name of ['api', 'mint'] as const) {
      expect(env(s, name).STS_APPROVALS_TOPIC_ARN).toBeUndefined();
      expect(env(s, name).STS_PUBLIC_URL).toBeUndefined();
    }
  });

  it('has no subscription without approverEmails, and is an output to subscribe chat channels to', () => {
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
    expect(s.template.toJSON().Outputs.ApprovalsTopicArn.Value).toEqual({ Ref: topic });
  });

  it('sends the approval page (GET and POST /approve/{id}) to the API function: one $default route, nothing shadows it', () => {
    const routes = Object.values(s.template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties.RouteKey)).toEqual(['$default']);
    const integrationId = routes[0].Properties.Target['Fn::Join'][1][1].Ref;
    expect(s.template.toJSON().Resources[integrationId].Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [s.id(s.stack.functions.api), 'Arn'] },
    });
    // API Gateway may invoke the function for every method and path of the API, /approve/… included.
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [s.id(s.stack.functions.api), 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
      SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: s.id(s.stack.api.httpApi) }, '/*/*'])] },
    });
  });

  it('leaves CloudFormation no dependency cycle (verify knows the API URL; the API needs verify through the workflow)', () => {
    // Template parsing refuses a cycle (as CloudFormation would); the harness parses every synthesised stack.
    expect(() => Template.fromJSON(s.template.toJSON())).not.toThrow();
    const cyclic = structuredClone(s.template.toJSON());
    cyclic.Resources[s.id(s.stack.api.httpApi)].DependsOn = [s.id(s.stack.functions.verify)];
    expect(() => Template.fromJSON(cyclic)).toThrow(/cycl/i);
  });
});

describe('approvals topic (approverEmails and a custom domain)', () => {
  let s: Synthesised;
  let topic: string;
  beforeAll(() => {
    s = synthesise({
      domainName: 'sts.example.com',
      hostedZoneName: 'example.com',
      hostedZoneId: 'Z0123456789ABC',
      auditEmail: 'security@example.com',
      approverEmails: {
        'acme/bob': 'bob@example.com',
        'acme/carol': 'carol@example.com',
        // The same person in another issuer: SNS takes one subscription per address, so it filters on both.
        'Other Co/Bob Smith': 'Bob@Example.com',
      },
    });
    topic = s.id(s.stack.approvals.topic);
  });

  it('subscribes each address once, filtered on the message attribute approvers for its names', () => {
    const subscriptions = Object.values(s.template.findResources('AWS::SNS::Subscription'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.TopicArn) === JSON.stringify({ Ref: topic }));
    expect(subscriptions).toEqual([
      {
        Protocol: 'email',
        Endpoint: 'bob@example.com',
        TopicArn: { Ref: topic },
        FilterPolicy: { approvers: ['acme/bob', 'Other Co/Bob Smith'] },
        FilterPolicyScope: 'MessageAttributes',
      },
      {
        Protocol: 'email',
        Endpoint: 'carol@example.com',
        TopicArn: { Ref: topic },
        FilterPolicy: { approvers: ['acme/carol'] },
        FilterPolicyScope: 'MessageAttributes',
      },
    ]);
    // The audit address stays on the audit topic, unfiltered.
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'security@example.com',
      TopicArn: { Ref: s.id(s.stack.audit.topic) },
      FilterPolicy: Match.absent(),
    });
  });

  it('filters on names spelled exactly as the notifier sends them', () => {
    const record: RequestRecord = {
      id: 'r_0123456789abcdefghjkmnpqrs',
      status: 'AWAITING_APPROVAL',
      issuer: 'acme',
      accountName: 'alice',
      role: 'admin',
      durationSeconds: 900,
      publicKey: 'cHVibGljLWtleQ',
      createdAt: '2030-01-01T00:00:00.000Z',
      decisionDeadline: '2030-01-01T00:15:00.000Z',
      expiresAt: 1_900_000_000,
    };
    const sent: string[] = JSON.parse(
      approvalMessage(awaitingNotification(record, ['carol'], {}, new Date())).attributes.approvers.StringValue,
    );
    // SNS delivers a String.Array attribute to a subscription when any of its values is in the allowlist.
    const delivered = Object.values(s.template.findResources('AWS::SNS::Subscription'))
      .filter((r) => r.Properties.FilterPolicy)
      .filter((r) => (r.Properties.FilterPolicy.approvers as string[]).some((name) => sent.includes(name)))
      .map((r) => r.Properties.Endpoint);
    expect(delivered).toEqual(['carol@example.com']);
  });

  it('links the custom domain in notifications', () => {
    expect(env(s, 'verify').STS_PUBLIC_URL).toBe('https://sts.example.com');
  });

  it('leaves CloudFormation no dependency cycle', () => {
    expect(() => Template.fromJSON(s.template.toJSON())).not.toThrow();
  });
});
