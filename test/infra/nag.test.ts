import { Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthesise } from './harness.js';

const fullConfig = {
  domainName: 'sts.example.com',
  hostedZoneName: 'example.com',
  hostedZoneId: 'Z0123456789ABC',
  auditEmail: 'security@example.com',
  approverEmails: { 'acme/bob': 'bob@example.com' },
  allowedRoles: ['role/stsftw/*', 'arn:aws:iam::210987654321:role/team/*'],
  brokeredRoles: [{ roleName: 'readonly', managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }],
};

/** Every acknowledgment in the tree as `path: rule id` → reason. */
function acknowledgments(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${node.node.path}: ${id.replace(/^annotation::/i, '')}`, reason);
      }
    }
  }
  return found;
}

describe('cdk-nag AwsSolutionsChecks', () => {
  it.each([
    ['the default configuration', {}],
    ['a full configuration', fullConfig],
  ])('finds nothing unacknowledged in %s', (_, raw) => {
    const { app } = synthesise(raw);
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only these findings, each with a reason', () => {
    const { app } = synthesise(fullConfig);
    const found = acknowledgments(app);
    expect([...found.keys()].sort()).toEqual(
      [
        'stsftw/Api/HttpApi: AwsSolutions-APIG4',
        'stsftw/BrokeredRole-readonly/Role: AwsSolutions-IAM4[Policy::arn:aws:iam::aws:policy/ReadOnlyAccess]',
        'stsftw/Functions/Api: AwsSolutions-L1',
        'stsftw/Functions/ApiRole: AwsSolutions-IAM5[Resource::*]',
        'stsftw/Functions/Mint: AwsSolutions-L1',
        'stsftw/Functions/MintRole: AwsSolutions-IAM5[Resource::*]',
        'stsftw/Functions/MintRole: AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/stsftw/*]',
        'stsftw/Functions/MintRole: AwsSolutions-IAM5[Resource::arn:aws:iam::210987654321:role/team/*]',
        'stsftw/Functions/Verify: AwsSolutions-L1',
        'stsftw/Functions/VerifyRole: AwsSolutions-IAM5[Resource::*]',
        'stsftw/Workflow/StateMachine: AwsSolutions-SF1',
        'stsftw/Workflow/StateMachine/Role: AwsSolutions-IAM5[Resource::*]',
      ].sort(),
    );
    for (const reason of found.values()) expect(reason.length).toBeGreaterThan(40);
  });

  it('fails synthesis on an unacknowledged finding', () => {
    const { app, stack } = synthesise();
    new sns.Topic(stack, 'Unencrypted');
    expect(() => app.synth({ force: true })).toThrow(/AwsSolutions-SNS3/);
  });
});
