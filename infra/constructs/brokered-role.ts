/** A role the broker may hand out: it trusts the mint function's role and nothing else. */
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The actions the mint role uses on a target role (AssumeRole with a SourceIdentity and session tags). */
export const BROKERED_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];

/** Props of {@link BrokeredRole}. */
export interface BrokeredRoleProps {
  /** The mint function's role (`Functions.mint.role`), or any role the broker mints with. */
  brokerRole: iam.IRole;
  /**
   * The role's name without its prefix: the IAM role is named `<namePrefix>-<roleName>` (`stsftw-admin`).
   * IAM role names are unique per account whatever the case and the path, so a bare `admin` would collide
   * with any existing role of that name. Without `roleName` or `fullRoleName`, CloudFormation names the role.
   */
  roleName?: string;
  /** Prefix of `roleName`; default `stsftw` (the stack passes its `appName`). */
  namePrefix?: string;
  /** The exact IAM role name, unprefixed (for example to keep the name of a role created before). */
  fullRoleName?: string;
  /** IAM path; default `/stsftw/`, which the default `allowedRoles` (`role/stsftw/*`) covers. */
  path?: string;
  description?: string;
  /** Full ARNs of managed policies to attach: the permissions this role hands out. */
  managedPolicyArns?: string[];
  inlinePolicies?: Record<string, iam.PolicyDocument>;
}

/**
 * An IAM role for people to receive through the broker. Its trust policy names only the mint role and
 * allows exactly AssumeRole, SetSourceIdentity (the account name shows in CloudTrail) and TagSession
 * (approver and request id). Sessions last at most one hour anyway: the broker chains roles.
 * Its ARN must match the broker's `allowedRoles`, or the mint role cannot assume it.
 */
export class BrokeredRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BrokeredRoleProps) {
    super(scope, id);
    if (props.roleName !== undefined && props.fullRoleName !== undefined) {
      throw new Error(`BrokeredRole ${id}: give either roleName (prefixed) or fullRoleName (exact), not both.`);
    }
    const prefixed = props.roleName === undefined ? undefined : `${props.namePrefix ?? 'stsftw'}-${props.roleName}`;
    this.role = new iam.Role(this, 'Role', {
      roleName: props.fullRoleName ?? prefixed,
      path: props.path ?? '/stsftw/',
      description: props.description ?? 'Assumed through the stsftw credential broker',
      assumedBy: new iam.ArnPrincipal(props.brokerRole.roleArn),
      managedPolicies: (props.managedPolicyArns ?? []).map((arn, i) =>
        iam.ManagedPolicy.fromManagedPolicyArn(this, `Policy${i}`, arn),
      ),
      inlinePolicies: props.inlinePolicies,
      maxSessionDuration: Duration.hours(1),
    });
    // Handing out these permissions is the role's purpose, whoever wrote the policy.
    Validations.of(this.role).acknowledge(
      ...(props.managedPolicyArns ?? []).map((arn) => ({
        id: `AwsSolutions-IAM4[Policy::${arn}]`,
        reason: 'The operator chose this policy as the permissions the broker hands out with this role.',
      })),
    );
    this.role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        actions: BROKERED_TRUST_ACTIONS.filter((a) => a !== 'sts:AssumeRole'),
        principals: [new iam.ArnPrincipal(props.brokerRole.roleArn)],
      }),
    );
  }
}
