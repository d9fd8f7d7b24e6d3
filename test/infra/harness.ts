/** Builds the broker stack for assertions, as `cdk synth` would but without bundling the functions. */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { addBrokerStack } from '../../infra/broker-app.js';
import { parseConfig } from '../../infra/config.js';
import type { BrokerStack } from '../../infra/stack.js';

/** The feature flags of `cdk.json`, so tests see what `cdk synth` sees. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  return cdkJson.context ?? {};
}

/** A synthesised broker stack built from raw configuration (validated like `infra/app.ts` does). */
export interface Synthesised {
  app: App;
  stack: BrokerStack;
  template: Template;
  /** The CloudFormation logical id of a construct (its default child for L2s). */
  id(construct: IConstruct): string;
}

/** Builds and synthesises the stack; `Template.fromStack` also runs the cdk-nag plugin. */
export function synthesise(raw: Record<string, unknown> = {}): Synthesised {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = addBrokerStack(app, parseConfig(raw));
  const template = Template.fromStack(stack);
  const id = (construct: IConstruct) => {
    const child = (construct.node.defaultChild ?? construct) as IConstruct;
    return Stack.of(construct).resolve(Stack.of(construct).getLogicalId(child as never)) as string;
  };
  return { app, stack, template, id };
}

type Json = unknown;

/** A policy resource in a compact, comparable form: `{Ref: X}` → `ref:X`, `{Fn::GetAtt: [X, Arn]}` → `arn:X`. */
export function resourceName(resource: Json): string {
  if (typeof resource === 'string') return resource;
  const r = resource as Record<string, unknown>;
  if (r.Ref) return `ref:${r.Ref}`;
  if (r['Fn::GetAtt']) {
    const [logicalId, attribute] = r['Fn::GetAtt'] as [string, string];
    return attribute === 'Arn' ? `arn:${logicalId}` : `${attribute}:${logicalId}`;
  }
  if (r['Fn::Join']) {
    const [sep, parts] = r['Fn::Join'] as [string, Json[]];
    return parts.map((p) => (typeof p === 'string' ? p : `<${resourceName(p)}>`)).join(sep);
  }
  return JSON.stringify(resource);
}

/** One allowed statement of an identity policy, as written in the template. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json | Json[];
  Condition?: Record<string, unknown>;
  Sid?: string;
}

function list<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Every statement of every identity policy attached to the role with `roleLogicalId`. */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as { Ref: string }[];
    if (roles.some((r) => r.Ref === roleLogicalId)) statements.push(...policy.Properties.PolicyDocument.Statement);
  }
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  for (const inline of role?.Properties.Policies ?? []) statements.push(...inline.PolicyDocument.Statement);
  return statements;
}

/** A role's permissions flattened to sorted `action @ resource` lines. */
export function permissions(template: Template, roleLogicalId: string): string[] {
  const lines = new Set<string>();
  for (const s of roleStatements(template, roleLogicalId)) {
    for (const action of list(s.Action)) {
      for (const resource of list(s.Resource)) lines.add(`${action} @ ${resourceName(resource)}`);
    }
  }
  return [...lines].sort();
}
