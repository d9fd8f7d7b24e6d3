import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { rejectionErrorNames } from '../../../lambdas/core/errors.js';
import { loadDefinition, localSubstitutions, placeholders, rawDefinition } from '../../../statemachine/definition.js';

const substitutions = {
  VerifyFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:stsftw-verify',
  MintFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:stsftw-mint',
  RequestsTableName: 'stsftw-requests',
  AuditTopicArn: 'arn:aws:sns:eu-west-1:123456789012:stsftw-audit',
};

type State = Record<string, any>;
const fileText = readFileSync(new URL('../../../statemachine/approval.asl.json', import.meta.url), 'utf8');
const definition = JSON.parse(loadDefinition(substitutions)) as { States: Record<string, State> };
const states = Object.entries(definition.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');
const lambdaTasks = tasks.filter(([, s]) => String(s.Resource).startsWith('arn:aws:states:::lambda:invoke'));
// AWS's recommended Retry for Lambda service exceptions, verbatim and in its order (Step Functions developer
// guide, "Handle Lambda service exceptions"; also CDK's LambdaInvoke retryOnServiceExceptions).
const awsLambdaServiceErrors = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
];
// The same page names this as the error when Lambda throttles the invocation: transient too.
const lambdaThrottling = 'Lambda.TooManyRequestsException';

describe('approval.asl.json', () => {
  it('passes asl-validator once substituted', () => {
    const result = aslValidator(JSON.parse(loadDefinition(substitutions)));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('passes asl-validator with the embedded substitutions', () => {
    const result = aslValidator(JSON.parse(loadDefinition(localSubstitutions({ requestsTableName: 't' }))));
    expect(result.isValid).toBe(true);
  });

  it('is checked for real: a dangling Next fails validation', () => {
    const broken = JSON.parse(loadDefinition(substitutions));
    broken.States['Mint Credentials'].Next = 'Nowhere';
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it('names exactly the placeholders it declares', () => {
    const used = new Set([...fileText.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual([...placeholders].sort());
  });

  it('is plain JSONPath: no JSONata anywhere', () => {
    expect(fileText).not.toMatch(/JSONata/i);
    expect(fileText).not.toMatch(/\{%/);
    expect(fileText).not.toMatch(/"(Arguments|Output|Assign)"\s*:/);
  });

  it('gives every state a Comment', () => {
    for (const [name, state] of states) expect(state.Comment, name).toEqual(expect.any(String));
  });

  it('finds every Lambda task, the waitForTaskToken one included', () => {
    expect(lambdaTasks.map(([name]) => name)).toEqual([
      'Verify Requester',
      'Verify Approver',
      'Await Approval',
      'Mint Credentials',
      'Notify Minted',
      'Record Rejection',
      'Record Denial',
      'Expire',
      'Record Failure',
    ]);
  });

  it.each(lambdaTasks.map(([name]) => [name]))('%s retries Lambda service errors (and only those)', (name) => {
    const retry = definition.States[name].Retry as { ErrorEquals: string[] }[];
    const retried = retry.flatMap((r) => r.ErrorEquals);
    // One retrier whose list starts with AWS's, exactly, then throttling.
    expect(retry[0].ErrorEquals).toEqual([...awsLambdaServiceErrors, lambdaThrottling]);
    expect([...retried].sort()).toEqual([...awsLambdaServiceErrors, lambdaThrottling].sort());
    // Domain errors are decisions, not glitches: retrying would only burn the code or the lockout counter.
    for (const name of rejectionErrorNames) expect(retried).not.toContain(name);
    expect(retried).not.toContain('States.ALL');
  });

  it('gives every waitForTaskToken state a timeout, read from the input', () => {
    const waiting = tasks.filter(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'));
    expect(waiting.map(([name]) => name)).toEqual(['Await Approval']);
    for (const [, s] of waiting) {
      expect(s.TimeoutSeconds ?? s.TimeoutSecondsPath).toBeDefined();
      expect(s.TimeoutSecondsPath).toBe('$.approvalTimeoutSeconds');
    }
  });

  it('catches every rejection error by name wherever a code or rule is checked', () => {
    for (const name of ['Verify Requester', 'Verify Approver', 'Mint Credentials']) {
      const catchers = definition.States[name].Catch as { ErrorEquals: string[]; Next: string }[];
      const rejection = catchers.find((c) => c.Next === 'Record Rejection');
      expect(rejection?.ErrorEquals.sort(), name).toEqual([...rejectionErrorNames].sort());
      expect(catchers.at(-1)).toEqual({ ErrorEquals: ['States.ALL'], Next: 'Record Failure' });
    }
  });

  it('releases credentials only after the audit was published', () => {
    expect(definition.States['Publish Audit'].Next).toBe('Release Credentials');
    expect(definition.States['Mint Credentials'].Next).toBe('Publish Audit');
    const into = states.filter(([, s]) => s.Next === 'Release Credentials').map(([name]) => name);
    expect(into).toEqual(['Publish Audit']);
    expect(definition.States['Publish Audit'].Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'Record Failure' }]);
  });

  it('passes the task token only to the function that stores it', () => {
    const withToken = states.filter(([, s]) => JSON.stringify(s).includes('$$.Task.Token')).map(([name]) => name);
    expect(withToken).toEqual(['Await Approval']);
  });
});

describe('loadDefinition', () => {
  it('substitutes every placeholder', () => {
    const text = loadDefinition(substitutions);
    expect(text).not.toContain('${');
    expect(text).toContain(substitutions.RequestsTableName);
  });

  it('names a missing placeholder', () => {
    const { AuditTopicArn: _, ...partial } = substitutions;
    expect(() => loadDefinition(partial)).toThrow(/\$\{AuditTopicArn\}/);
  });

  it('names a substitution nothing uses', () => {
    expect(() => loadDefinition({ ...substitutions, AuditTopic: 'x' })).toThrow(/AuditTopic\b/);
  });

  it('keeps the result JSON even when a value holds quotes', () => {
    const text = loadDefinition({ ...substitutions, RequestsTableName: 'a"b\\c' });
    expect(JSON.parse(text).States['Release Credentials'].Parameters.TableName).toBe('a"b\\c');
  });

  it('leaves the raw text with its placeholders for CDK', () => {
    expect(JSON.parse(rawDefinition())).toEqual(JSON.parse(fileText));
  });
});
