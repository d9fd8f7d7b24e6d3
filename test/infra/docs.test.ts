/** docs/deploy.md states facts about the stack: keep them true. */
import { readFileSync } from 'node:fs';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { configKeys, parseConfig } from '../../infra/config.js';
import { BROKERED_TRUST_ACTIONS } from '../../infra/constructs/brokered-role.js';
import {
  type Need,
  type PolicyStatement,
  requiredPermissions,
  statementAllows,
  unknownTypes,
  unusedGrants,
} from './deployer-permissions.js';
import { type Synthesised, synthesise } from './harness.js';

const doc = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

describe('docs/deploy.md', () => {
  it('documents every configuration key, and no other', () => {
    const rows = [...section('Configuration').matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual([...configKeys]);
  });

  it('gives a trust-policy snippet with exactly the actions BrokeredRole trusts', () => {
    const json = /```json\n(\{\n {2}"Version"[\s\S]*?)```/.exec(section('Create the target roles'))?.[1];
    const policy = JSON.parse(json ?? 'null');
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0].Effect).toBe('Allow');
    expect([...policy.Statement[0].Action].sort()).toEqual([...BROKERED_TRUST_ACTIONS].sort());
  });

  it('shows an example config file that the validation accepts', () => {
    const json = /Example `stsftw.config.json`:\n\n```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(() => parseConfig(JSON.parse(json ?? 'null'))).not.toThrow();
  });

  it('enrolls people for the roles the example config creates, by their prefixed names', () => {
    const json = /Example `stsftw.config.json`:\n\n```json\n([\s\S]*?)```/.exec(doc)?.[1];
    const config = parseConfig(JSON.parse(json ?? 'null'));
    const arns = config.brokeredRoles.map((r) => `arn:aws:iam::${config.account}:role${r.path}${r.iamRoleName}`);
    expect(arns).toEqual([
      'arn:aws:iam::123456789012:role/stsftw/stsftw-readonly',
      'arn:aws:iam::123456789012:role/stsftw/stsftw-admin',
    ]);
    // Role ARNs as the examples write them: `--roles` lists are comma-separated.
    const enrolled = section('Enroll the administrator and the users')
      .split(/[\s,"=]+/)
      .filter((word) => word.startsWith('arn:aws:iam::'));
    expect(new Set(enrolled)).toEqual(new Set(arns));
  });
});

const account = '123456789012';
const region = 'eu-west-1';
const zoneId = 'Z0123456789ABCDEFGHIJ';

interface Policy {
  Version: string;
  Statement: PolicyStatement[];
}

/** The first JSON block after the line `heading` of the Permissions section, placeholders filled in. */
function policyAfter(heading: string): Policy {
  const permissions = section('Permissions');
  const start = permissions.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(0);
  const json = /```json\n([\s\S]*?)```/.exec(permissions.slice(start))?.[1] ?? 'null';
  return JSON.parse(json.replaceAll('ACCOUNT', account).replaceAll('REGION', region).replaceAll('ZONE_ID', zoneId));
}

/** `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` as they resolve in the test account. */
function resolveEnv(text: string): string {
  return text.replace(/\$\{AWS::(\w+)\}/g, (_, name: string) =>
    name === 'AccountId' ? account : name === 'Region' ? region : 'aws',
  );
}

const allowed = (policy: Policy, need: Pick<Need, 'action' | 'resource'>) =>
  policy.Statement.some((s) => statementAllows(s, need));

describe('docs/deploy.md: deployer permissions', () => {
  const execution = () => policyAfter('#### CloudFormation execution policy');
  let stacks: Synthesised[];
  let needs: Need[];

  beforeAll(() => {
    const full = {
      domainName: 'sts.example.com',
      hostedZoneName: 'example.com',
      hostedZoneId: zoneId,
      auditEmail: 'security@example.com',
      approverEmails: { 'acme/bob': 'bob@example.com' },
      reservedConcurrency: 5,
      brokeredRoles: [{ roleName: 'admin', managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }],
    };
    stacks = [synthesise({ account, region }), synthesise({ account, region, ...full })];
    needs = stacks.flatMap((s) => requiredPermissions(s.template, s.stack.stackName, account, region));
  });

  it('knows what CloudFormation calls for every resource type of the stack', () => {
    for (const s of stacks) expect(unknownTypes(s.template)).toEqual([]);
  });

  it('grants CloudFormation every action each resource needs, on that resource', () => {
    const policy = execution();
    const missing = needs.filter((n) => !allowed(policy, n)).map((n) => `${n.action} on ${n.resource} (${n.why})`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it('grants nothing the stack does not need', () => {
    expect(unusedGrants(execution().Statement, needs)).toEqual([]);
  });

  it('lets CloudFormation read the function code from the CDK assets bucket, and the bootstrap version', () => {
    const policy = execution();
    const template = stacks[0].template.toJSON();
    const fn = Object.values(template.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function');
    const { S3Bucket } = fn.Properties.Code;
    const bucket = resolveEnv(typeof S3Bucket === 'string' ? S3Bucket : S3Bucket['Fn::Sub']);
    expect(bucket).toBe(`cdk-hnb659fds-assets-${account}-${region}`);
    // Lambda's CreateFunction and UpdateFunctionCode read the zip with the caller's (CloudFormation's) rights.
    expect(
      allowed(policy, { action: 's3:GetObject', resource: `arn:aws:s3:::${bucket}/${fn.Properties.Code.S3Key}` }),
    ).toBe(true);
    const version = template.Parameters.BootstrapVersion;
    expect(version).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/cdk-bootstrap/hnb659fds/version',
    });
    const parameter = `arn:aws:ssm:${region}:${account}:parameter${version.Default}`;
    expect(allowed(policy, { action: 'ssm:GetParameters', resource: parameter })).toBe(true);
  });

  it('passes roles to Lambda and Step Functions only', () => {
    const passing = execution().Statement.filter((s) => [s.Action].flat().some((a) => /^iam:(PassRole|\*)$/i.test(a)));
    expect(passing.length).toBeGreaterThan(0);
    for (const s of passing) {
      expect(s.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com', 'states.amazonaws.com'] },
      });
    }
  });

  it('fits in one customer managed policy and allows no service wholesale', () => {
    const policy = execution();
    expect(policy.Version).toBe('2012-10-17');
    // IAM's limit for a managed policy, not counting white space.
    expect(JSON.stringify(policy).replace(/\s/g, '').length).toBeLessThanOrEqual(6144);
    const sids = policy.Statement.map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    for (const s of policy.Statement) {
      expect(s.Effect, s.Sid).toBe('Allow');
      for (const action of [s.Action].flat()) expect(action, s.Sid).not.toMatch(/(^|:)\*$/);
    }
  });

  it("lets the deployer's own credentials assume exactly the bootstrap roles cdk deploy uses", () => {
    const assembly = stacks[0].app.synth();
    const stack = assembly.getStackByName(stacks[0].stack.stackName);
    const publishing = assembly.artifacts
      .filter((a): a is AssetManifestArtifact => a instanceof AssetManifestArtifact)
      .flatMap((a) => Object.values(JSON.parse(readFileSync(a.file, 'utf8')).files ?? {}))
      .flatMap((f: any) => Object.values(f.destinations).map((d: any) => d.assumeRoleArn as string));
    // The lookup role reads the deployed template for `cdk diff` and deploy's change review.
    const used = [stack.assumeRoleArn, stack.lookupRole?.arn, ...publishing].map((arn) => resolveEnv(arn ?? ''));
    const statements = policyAfter("#### The deployer's own policy").Statement;
    expect(statements.every((s) => [s.Action].flat().every((a) => a === 'sts:AssumeRole'))).toBe(true);
    const granted = statements.flatMap((s) => [s.Resource].flat());
    expect([...new Set(granted)].sort()).toEqual([...new Set(used)].sort());
  });
});
