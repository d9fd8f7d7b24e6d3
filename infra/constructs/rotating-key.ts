/** The customer-managed KMS keys of the stack: symmetric, rotated yearly, each with its own removal policy. */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** A key with yearly rotation, as the child `Key` of `scope` (the logical id every key of the stack has). */
export function rotatingKey(scope: Construct, description: string, removalPolicy: RemovalPolicy): kms.Key {
  return new kms.Key(scope, 'Key', { description, enableKeyRotation: true, removalPolicy });
}
