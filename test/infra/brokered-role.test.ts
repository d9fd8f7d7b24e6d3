/** BrokeredRole on its own, as a user's CDK app would use it: the IAM role name it ends up with. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { BrokeredRole, type BrokeredRoleProps } from '../../infra/constructs/brokered-role.js';

const mintRoleArn = 'arn:aws:iam::123456789012:role/stsftw-FunctionsMintRole-EXAMPLE';

function roleProperties(props: Omit<BrokeredRoleProps, 'brokerRole'>): Record<string, unknown> {
  const stack = new Stack(new App(), 'Target', { env: { account: '123456789012', region: 'eu-west-1' } });
  new BrokeredRole(stack, 'Admin', { brokerRole: iam.Role.fromRoleArn(stack, 'Mint', mintRoleArn), ...props });
  const roles = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return roles[0].Properties;
}

describe('BrokeredRole', () => {
  // IAM role names are unique per account, case-insensitively, whatever the path: a bare "admin" would
  // collide with any existing role of that name.
  it('prefixes the role name with "stsftw-" by default', () => {
    expect(roleProperties({ roleName: 'admin' })).toMatchObject({ RoleName: 'stsftw-admin', Path: '/stsftw/' });
  });

  it('prefixes it with the given namePrefix (the stack passes its appName)', () => {
    expect(roleProperties({ roleName: 'readonly', namePrefix: 'acme-sts' })).toMatchObject({
      RoleName: 'acme-sts-readonly',
    });
  });

  it('uses fullRoleName exactly as given', () => {
    expect(roleProperties({ fullRoleName: 'AccountAdmin', path: '/' })).toMatchObject({
      RoleName: 'AccountAdmin',
      Path: '/',
    });
  });

  it('lets CloudFormation name the role when no name is given', () => {
    expect(roleProperties({})).not.toHaveProperty('RoleName');
  });

  it('refuses roleName and fullRoleName together', () => {
    expect(() => roleProperties({ roleName: 'admin', fullRoleName: 'admin' })).toThrow(
      /either roleName \(prefixed\) or fullRoleName \(exact\), not both/,
    );
  });
});
